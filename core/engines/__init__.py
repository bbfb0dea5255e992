"""How a pane's turn runs: direct Messages-API turns, or the Claude Code CLI."""
