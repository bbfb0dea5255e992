"""Where sessions live: the SQLite store, its migrations, and exports."""
