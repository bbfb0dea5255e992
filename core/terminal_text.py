"""Stored text made safe to print on a terminal: control characters shown, never obeyed.

A prompt, a title or a model reply can hold ESC/CSI/OSC sequences (pasted, or typed by
someone hostile); printed raw they retitle the terminal, clear the screen or forge output.
Every place a stored string reaches a terminal (CLI tables, Markdown exports on a tty, the
TUI's titles) passes it through `printable()`.
"""

from __future__ import annotations

# C0 controls, DEL and the C1 range (0x80-0x9f: 0x9b is a one-byte CSI on many terminals).
_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]


def _shown(code: int) -> str:
    # The escaped form a Python or C programmer would recognise, so nothing is lost silently.
    return f"\\x{code:02x}"


_ONE_LINE = {code: _shown(code) for code in _CONTROLS}
_ONE_LINE[ord("\t")] = " "
_ONE_LINE[ord("\n")] = " "
_MULTI_LINE = {code: text for code, text in _ONE_LINE.items() if code not in (ord("\n"), ord("\t"))}


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character shown as `\\xNN`.

    One-line (the default, for titles and table cells): tabs and newlines become spaces.
    `multiline=True` (transcripts): newlines and tabs stay as they are.
    """
    if multiline:
        # Windows line endings are line endings, not a stray carriage return.
        return text.replace("\r\n", "\n").translate(_MULTI_LINE)
    return text.translate(_ONE_LINE)


def has_controls(text: str) -> bool:
    """True if `printable` would change anything beyond newlines and tabs."""
    return text != text.translate(_MULTI_LINE)


_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in [0x7F, *range(0x80, 0xA0)]}


def escape_json_controls(json_text: str) -> str:
    """A JSON document with DEL and C1 characters written as \\u escapes (json.dumps leaves them raw).

    Outside strings JSON is plain ASCII, so this only touches string contents, and a parser
    reads back exactly the same data.
    """
    return json_text.translate(_JSON_ESCAPES)
