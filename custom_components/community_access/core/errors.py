"""Errors of the core, each with a translation key for the user interface."""

from __future__ import annotations


class CommunityError(Exception):
    """A refusal the user can act on.

    ``key`` names the message in the integration's translations (section
    ``exceptions``); ``placeholders`` fill it. Never put an ID number, card
    number or PIN into a placeholder.
    """

    def __init__(self, key: str, **placeholders: str) -> None:
        """Create with a translation key and its placeholders."""
        super().__init__(key)
        self.key = key
        self.placeholders = placeholders

    def __str__(self) -> str:
        """Key and placeholders, for logs and tests."""
        if not self.placeholders:
            return self.key
        details = ", ".join(f"{k}={v}" for k, v in sorted(self.placeholders.items()))
        return f"{self.key} ({details})"
