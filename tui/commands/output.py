"""Standard output for the headless commands: a write that fails (closed pipe, full disk) is one sentence."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click


def silence_stdout() -> None:
    """Point stdout at /dev/null so Python's flush at exit does not fail (and print) a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test runner's buffer): nothing will flush at exit
    finally:
        os.close(devnull)


def write_error_sentence(error: OSError) -> str:
    if error.errno == errno.EPIPE or isinstance(error, BrokenPipeError):
        return "Could not write the output: the reader closed the pipe."
    return f"Could not write the output: {error.strerror or error}."


@contextmanager
def reporting_write_errors() -> Iterator[None]:
    """Wrap the part of a command that prints to stdout: an OSError there becomes one sentence, exit 1."""
    try:
        yield
    except OSError as error:
        silence_stdout()
        raise click.ClickException(write_error_sentence(error)) from None


def store_open_sentence(error: OSError) -> str:
    """SEGUE_HOME (or the data directory) is a file, unreadable or on a read-only disk."""
    where = f" {error.filename}" if error.filename else ""
    return f"Segue can't use its data directory{where} ({error.strerror or error}); check SEGUE_HOME."
