"""Segue's engine: conversations, pricing, files, storage and the simulator. Never imports the UI."""
