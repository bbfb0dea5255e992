"""Keeping a version of a handoff file without letting a full or read-only store stop the user."""

from __future__ import annotations

from typing import Any

from core.store.database import StoreError


def keep_version(store: Any, path: Any, text: str, source: str) -> bool:
    """Store.record_file_version, but a refused write (disk full) is only a version not kept: False.

    The versions feed the diff viewer; losing one is a smaller harm than a save, a decision
    or the file watcher failing (in a worker, that would end the app).
    """
    try:
        return store.record_file_version(str(path), text, source)
    except StoreError:
        return False
