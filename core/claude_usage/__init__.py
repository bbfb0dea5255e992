"""Claude Code's own transcripts: what the real Opus/Sonnet split cost, and what all-Opus would have."""

from core.claude_usage.report import (
    Block,
    Breakdown,
    Dashboard,
    Totals,
    UsageReport,
    build_report,
    dashboard,
    report_json,
    session_blocks,
)
from core.claude_usage.scanner import ScanStats, TranscriptScanner, cache_path, default_roots
from core.claude_usage.transcript_lines import UsageRecord, parse_chunk

__all__ = [
    "Block",
    "Breakdown",
    "Dashboard",
    "ScanStats",
    "Totals",
    "TranscriptScanner",
    "UsageRecord",
    "UsageReport",
    "build_report",
    "cache_path",
    "dashboard",
    "default_roots",
    "parse_chunk",
    "report_json",
    "session_blocks",
]
