"""Segue's screens and dialogs, each with its styles in a .tcss file beside it."""
