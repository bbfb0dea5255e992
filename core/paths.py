"""Where Segue keeps its own files: platformdirs, overridable with SEGUE_HOME."""

from __future__ import annotations

import os
from pathlib import Path


def _home() -> Path | None:
    value = os.environ.get("SEGUE_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    home = _home()
    if home is not None:
        path = home
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("segue", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    home = _home()
    if home is not None:
        path = home
    else:
        import platformdirs

        path = Path(platformdirs.user_config_dir("segue", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_path() -> Path:
    return data_dir() / "segue.sqlite3"


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def log_path() -> Path:
    return data_dir() / "segue.log"
