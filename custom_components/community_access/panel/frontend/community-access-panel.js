// Placeholder: the built panel bundle replaces this file.
