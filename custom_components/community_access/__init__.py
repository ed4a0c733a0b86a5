"""Community Access."""
