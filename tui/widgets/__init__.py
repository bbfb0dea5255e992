"""Segue's widgets: panes, messages, badges and meters."""
