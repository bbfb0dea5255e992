#!/usr/bin/env python3
"""Make or reuse the project's virtual environment, then run Segue or its tests.

    python3 scripts/dev.py run [segue args...]    # the app (demo mode without ANTHROPIC_API_KEY)
    python3 scripts/dev.py test [pytest args...]  # the test suite

Works on a fresh machine with only Python 3.11+, pip and git, including Debian/Ubuntu where
the system pip refuses installs (PEP 668): everything goes into ./.venv.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("SEGUE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def fail(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr)
    raise SystemExit(2)


def make_venv() -> None:
    if PYTHON.exists():
        return
    print(f"Creating a virtual environment in {VENV} …", file=sys.stderr)
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
        return
    except (subprocess.CalledProcessError, OSError):
        # Debian without python3-venv has no ensurepip: make the venv bare and
        # let the system pip install into it.
        shutil.rmtree(VENV, ignore_errors=True)
    venv.EnvBuilder(with_pip=False).create(VENV)
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(PYTHON), "install", "-q", "pip"])
    if done.returncode != 0:
        shutil.rmtree(VENV, ignore_errors=True)
        fail("could not create a virtual environment with pip; install your OS's python3-venv package.")


def install(extra: str) -> None:
    """pip install -e .[extra] unless this exact pyproject was installed already."""
    stamp = VENV / f".segue-installed-{extra or 'app'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f"{ROOT}[{extra}]" if extra else str(ROOT)
    print("Installing Segue and its dependencies into the virtual environment …", file=sys.stderr)
    done = subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", target])
    if done.returncode != 0:
        fail("pip could not install the dependencies (see above).")
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        fail(f"Segue needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    make_venv()
    if command == "run":
        install("")
        return subprocess.call([str(BIN / "segue"), *rest])
    install("test")
    return subprocess.call([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
