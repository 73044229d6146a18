"""sqlfluff with a database to compile against (`make lint`, `make test`, pre-commit).

sqlfluff's dbt templater compiles each file as dbt does, and staging reads the
columns of the raw RudderStack tables while compiling (macros/source_table.sql).
Without those tables the staging models render as empty selects and lint as
something they are not, and a clean clone has no database at all. So the lint
runs against a small demo database of its own, generated into a temporary
directory: the result depends neither on a local database nor on whether it
has been built (a built one renders the incremental branch).

The arguments are sqlfluff's own:

    .venv/bin/python scripts/sqlfluff_lint.py lint models analyses data_tests
    .venv/bin/python scripts/sqlfluff_lint.py fix models/marts/ai_cost_daily.sql
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ai_analytics.cli import main as ai_analytics

ROOT = Path(__file__).resolve().parents[1]
# Both spec generations, and enough events for every optional column to appear.
DEMO_DATA = ["demo-data", "--events", "2000", "--spec", "mixed"]


def run(args: list[str]) -> int:
    """sqlfluff with these arguments against a fresh demo database; its exit code."""
    with tempfile.TemporaryDirectory(prefix="sqlfluff-") as tmp:
        database = Path(tmp) / "lint.duckdb"
        with contextlib.redirect_stdout(io.StringIO()):
            failed = ai_analytics([*DEMO_DATA, "--out", str(database)])
        if failed:
            return failed
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_PROJECT_DIR": str(ROOT),
            "AI_ANALYTICS_TARGET": "duckdb",
            "AI_ANALYTICS_DUCKDB_PATH": str(database),
        }
        sqlfluff = Path(sys.executable).parent / "sqlfluff"
        return subprocess.run([str(sqlfluff), *args], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
