"""What a recorded request said, without the cache_control breakpoints Segue adds for prompt caching."""

from __future__ import annotations

from typing import Any


def plain_content(content: Any) -> Any:
    """One text block -> its text; cache_control dropped everywhere, so tests compare what was said."""
    if isinstance(content, list):
        blocks = [{k: v for k, v in block.items() if k != "cache_control"} if isinstance(block, dict) else block for block in content]
        if len(blocks) == 1 and isinstance(blocks[0], dict) and blocks[0].get("type") == "text":
            return blocks[0]["text"]
        return blocks
    return content


def plain(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**message, "content": plain_content(message.get("content"))} for message in messages]
