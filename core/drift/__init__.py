"""Drift detection: the decisions in CLAUDE.md and the plan, and whether a reply keeps them."""
