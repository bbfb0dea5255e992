"""The plan-to-execution handoff: CLAUDE.md, plan files, their versions and diffs, the context a turn sends, and watching them."""
