"""Segue's terminal front end: the Textual app and the `segue` command line."""
