"""Build the dbt project against a DuckDB file and read back what it built.

The tests build in-process through dbt's programmatic runner (about a second
per call after the first) and, where the process environment matters (the
time-zone test), in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

PROJECT_DIR = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_DIR / "seeds"
MARTS = [
    "fct_ai_prompt_turns",
    "fct_ai_conversations",
    "ai_engagement_by_user",
    "ai_engagement_daily",
    "ai_intent_distribution",
    "ai_latency_by_intent",
    "ai_model_performance_daily",
    "ai_cost_daily",
    "ai_satisfaction_by_intent",
    "ai_intent_transitions",
    "fct_ai_intent_transitions",
    "fct_ai_sessions",
    "ai_retention_weekly",
    "ai_outcomes_daily",
    "ai_model_calls_daily",
    "ai_evaluation_scores",
    "ai_classification_coverage",
    "ai_otel_genai_spans",
    "ai_quarantine_daily",
]
# Marts that only spec v0.3 events fill.
V03_MARTS = {"ai_outcomes_daily", "ai_model_calls_daily", "ai_evaluation_scores"}
# Marts that clean data leaves empty: the demo data has no unusable row (the
# adversarial tests fill it).
CLEAN_DATA_EMPTY_MARTS = {"ai_quarantine_daily"}
RAW_SCHEMA = "rudderstack"
# dbt args that turn off the staging unit tests whose fixtures name v0.1 source
# columns: for warehouses (v0.3, odd shapes) that do not have those columns.
NO_SOURCE_FIXTURES = ("--vars", "{ai_product_analytics_source_unit_tests: false}")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_args(command: str, work_dir: Path, *extra: str) -> list[str]:
    """Arguments for one dbt command whose target/ and logs/ live in work_dir."""
    return [
        *command.split(),
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        *extra,
    ]


def run_dbt(database: Path, work_dir: Path, *args: str, command: str = "build") -> None:
    """Run one dbt command in-process against `database`; fail loudly if it fails."""
    from dbt.cli.main import dbtRunner

    with _environment({"AI_ANALYTICS_DUCKDB_PATH": str(database)}):
        result = dbtRunner().invoke(dbt_args(command, work_dir, "--quiet", *args))
    if not result.success:
        failures = []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) not in ("success", "pass", "warn"):
                failures.append(f"{node.node.name}: {node.status}: {node.message}")
        raise AssertionError(f"dbt {command} failed: {result.exception}\n" + "\n".join(failures))


def _dbt_command(
    database: Path, work_dir: Path, command: str, args: tuple[str, ...], env: dict[str, str] | None
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of one dbt command run in a child process."""
    dbt = Path(sys.executable).with_name("dbt")
    full_env = {**os.environ, "AI_ANALYTICS_DUCKDB_PATH": str(database), **(env or {})}
    return [str(dbt), *dbt_args(command, work_dir, *args)], full_env


def run_dbt_subprocess(
    database: Path,
    work_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt build` in a child process (for tests that change the process
    environment, or need dbt's own exit code and output); with `check`, fail
    loudly unless it succeeds."""
    argv, full_env = _dbt_command(database, work_dir, "build", args, env)
    completed = subprocess.run(argv, env=full_env, capture_output=True, text=True, timeout=900)
    if check:
        assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-5000:]
    return completed


def start_dbt_subprocess(
    database: Path,
    work_dir: Path,
    *args: str,
    command: str = "build",
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """Start one dbt command in a child process and return at once.

    Its output (stderr merged into stdout) can be read line by line as dbt
    prints it, and it leads its own process group, so a test can kill it
    and anything it started with `os.killpg(process.pid, signal.SIGKILL)`.
    """
    argv, full_env = _dbt_command(
        database,
        work_dir,
        command,
        ("--no-use-colors", *args),
        {"PYTHONUNBUFFERED": "1", **(env or {})},
    )
    return subprocess.Popen(
        argv,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def append_events(
    database: Path, tables: dict[str, pd.DataFrame], schema: str = RAW_SCHEMA
) -> None:
    """Load more raw rows into existing tables, as the warehouse loader does between runs."""
    with duckdb.connect(str(database)) as connection:
        for name, frame in tables.items():
            connection.register("arriving", frame)
            connection.sql(f'insert into "{schema}"."{name}" by name select * from arriving')
            connection.unregister("arriving")


def read_relation(database: Path, name: str, schema: str = "main") -> pd.DataFrame:
    with duckdb.connect(str(database)) as connection:
        return connection.sql(f'select * from "{schema}"."{name}"').df()


def read_marts(database: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(database)) as connection:
        return {name: connection.sql(f'select * from main."{name}"').df() for name in MARTS}


def read_classifier_labels(database: Path) -> pd.DataFrame:
    """What the batch classifier model stored (its labels are an input to the oracle)."""
    with duckdb.connect(str(database)) as connection:
        return connection.sql(
            "select prompt_event_id, intent, classifier, classification_status "
            "from main_ai_intermediate.int_prompt_intents_classified"
        ).df()


def read_raw_tables(database: Path, schema: str = RAW_SCHEMA) -> dict[str, pd.DataFrame]:
    """Every raw table of the source schema, as the warehouse holds it."""
    with duckdb.connect(str(database)) as connection:
        names = [
            row[0]
            for row in connection.sql(
                "select table_name from information_schema.tables "
                f"where table_schema = '{schema}' and table_catalog = current_database()"
            ).fetchall()
        ]
        return {name: connection.sql(f'select * from "{schema}"."{name}"').df() for name in names}


def built_relations(database: Path) -> list[tuple[str, str]]:
    """(schema, name) of every table and view the project built (not the raw schema)."""
    with duckdb.connect(str(database)) as connection:
        rows = connection.sql(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema <> '{RAW_SCHEMA}' and table_catalog = current_database()"
        ).fetchall()
    return sorted((schema, name) for schema, name in rows)


def seed_taxonomy() -> set[str]:
    frame = pd.read_csv(SEEDS_DIR / "ai_intent_taxonomy.csv")
    return {str(name).strip().lower() for name in frame["intent_name"]}


def seed_prices() -> pd.DataFrame:
    frame = pd.read_csv(SEEDS_DIR / "ai_model_prices.csv")
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame
