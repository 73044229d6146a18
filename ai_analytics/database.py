"""Opening the DuckDB file, with a plain message when another process has it open.

DuckDB lets one process at a time write to a database file (or several
processes read it) and takes an operating-system lock to enforce it. A second
`dbt build` on the same file, or a `summary` while a build runs, therefore
fails with DuckDB's "Could not set lock on file ..." error; nothing is
written, so the file is never corrupted, but dbt prints that line buried
above a long Python traceback. The dbt-duckdb plugin and the `ai-analytics`
commands open the file through :func:`connect`, which turns that error into
:class:`DatabaseInUseError` with a message that says what happened and what
to do.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

# DuckDB's wording (POSIX: with the holder's program and PID; Windows: without).
_LOCK_ERROR = re.compile(
    r'Could not set lock on file "(?P<path>[^"]+)"'
    r"(?:: Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\))?"
)


class DatabaseInUseError(RuntimeError):
    """Another process holds the lock of the DuckDB file."""


def in_use_message(database: str | Path, error: BaseException, *, reading: bool) -> str | None:
    """The message for DuckDB's lock error `error`, or None for any other error."""
    found = _LOCK_ERROR.search(str(error))
    if found is None:
        return None
    holder = "another process"
    if found["pid"]:
        holder = f"another process (PID {found['pid']}, {found['program']})"
    if reading:
        what = (
            "most likely a dbt build or run is writing to it. DuckDB does not let a process "
            "read a file while another writes to it, so nothing was read. Run this again "
            "when the build has finished."
        )
    else:
        what = (
            "most likely another dbt build or run on the same file, or a client that has it "
            "open (a notebook, the dashboard). DuckDB lets only one process write to a file "
            "at a time, so this run stopped before changing anything. Run it again when the "
            "other has finished, or close that client."
        )
    return f"The DuckDB database {database} is locked by {holder}: {what}"


def connect(
    database: str | Path, *, read_only: bool = False, config: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, raising DatabaseInUseError when another process holds the file."""
    try:
        return duckdb.connect(str(database), read_only=read_only, config=config or {})
    except duckdb.IOException as error:
        message = in_use_message(database, error, reading=read_only)
        if message is None:
            raise
        raise DatabaseInUseError(message) from error
