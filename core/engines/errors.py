"""One wording for a failed request, whichever engine met it: kind, retryable, one clear sentence.

The API engine classifies the SDK's exceptions (core.engines.api.classify); Claude Code
reports only an HTTP status in its stream-json. Both end here, so a 529 or a refused key
reads the same in either pane.
"""

from __future__ import annotations

import re

KEY_HELP = (
    "The API key was refused (401). Set a valid key with `export ANTHROPIC_API_KEY=sk-ant-...`, "
    "or unset it to run Segue in demo mode."
)
DEMO_KEY_HELP = (
    "The demo simulator refused the request (401) because the prompt contains the `[[sim:401]]` "
    "test marker; no API key is involved in demo mode. Send the prompt without the marker."
)
CONNECTION_DROPPED = "The connection dropped"
_STATUS_IN_TEXT = re.compile(r"\bAPI Error: (\d{3})\b")


def key_help(demo: bool) -> str:
    """What to do about a 401: in demo mode a key is never the problem, so don't ask for one."""
    return DEMO_KEY_HELP if demo else KEY_HELP


def status_failure(status: int | None, detail: str = "", *, demo: bool = False) -> tuple[str, bool, str]:
    """(kind, retryable, sentence) for an HTTP status; None means no answer came (the connection).

    `detail` (the API's own message) is added where the status alone does not say what to fix.
    """
    suffix = f": {detail}" if detail else ""
    if status is None:
        return "connection", True, CONNECTION_DROPPED
    if status == 401:
        return "auth", False, key_help(demo)
    if status == 403:
        return "auth", False, "The API key may not use this model (403)."
    if status == 429:
        return "rate_limit", True, "Rate limited by the API (429)"
    if status == 529:
        return "overloaded", True, "The API is overloaded (529)"
    if status == 404:
        return "other", False, f"The model was not found (404){suffix}"
    if status == 400:
        return "other", False, f"The API refused the request (400){suffix}"
    if status >= 500:
        return "overloaded", True, f"The API had a server error ({status})"
    return "other", False, f"The API answered with an error ({status}){suffix}"


def status_in_text(text: str) -> int | None:
    """The HTTP status in Claude Code's "API Error: 529 ..." result text, if there is one."""
    match = _STATUS_IN_TEXT.search(text)
    return int(match.group(1)) if match else None


def sentence(text: str) -> str:
    """`text` on one line, ending with a full stop (or its own ! or ?)."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."
