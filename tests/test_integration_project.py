"""integration_tests/: the package installed as a user installs it, built twice.

The project in integration_tests/ pulls this package in through `packages.yml`
(`local: ../`), overrides a dispatched macro, and sets non-default vars (another
source schema, renamed tables, v0.3-only events, redacted text kept, half the
users sampled plus an always-classified one). Its singular tests compare what
dbt built with the raw events; this test runs the whole thing in child
processes, as a user would from a shell (`dbt deps`, `dbt build`, new events
loaded, `dbt build` again), and reads a few numbers back from the database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
PROJECT_DIR = ROOT / "integration_tests"
BIN = Path(sys.executable).parent
TIMEOUT_S = 900
TARGET_SCHEMA = "analytics"
# As integration_tests/raw_events.py writes them.
COHORT_USER_KEY = "usr_it_cohort"
APPENDED_PROMPT_REDACTED = "My parcel never arrived, please email the tracking number to <EMAIL>"


def _run(step: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        step,
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert completed.returncode == 0, (
        f"{' '.join(step)} exited {completed.returncode}\n"
        + completed.stdout[-6000:]
        + completed.stderr[-4000:]
    )
    return completed


def _one(database: Path, sql: str) -> object:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchone()[0]


def _numbers(database: Path) -> dict[str, object]:
    turns = f"{TARGET_SCHEMA}.fct_ai_prompt_turns"
    return {
        "turns": _one(database, f"select count(*) from {turns}"),
        "raw_prompt_ids": _one(
            database, "select count(distinct id) from product_events.chat_prompt_created"
        ),
        "unclassified": _one(
            database, f"select count(*) from {turns} where intent = 'unclassified'"
        ),
        "not_sampled": _one(database, f"select count(*) from {turns} where intent = 'not_sampled'"),
        "cohort_classifier": _one(
            database,
            f"select count(*) from {turns} where user_key = '{COHORT_USER_KEY}' "
            "and intent_source = 'classifier_offline'",
        ),
        "classified_rows": _one(
            database,
            f"select count(*) from {TARGET_SCHEMA}_ai_intermediate.int_prompt_intents_classified",
        ),
    }


def test_integration_project_builds_full_then_incremental(tmp_path: Path) -> None:
    database = tmp_path / "integration.duckdb"
    env = {
        **os.environ,
        "AI_ANALYTICS_IT_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        # The Makefile exports DBT_PROJECT_DIR (the root project): point it here.
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    python, dbt = str(BIN / "python"), str(BIN / "dbt")

    _run([python, "raw_events.py", "load"], env)
    _run([dbt, "deps"], env)
    first = _run([dbt, "build"], env)
    assert "ERROR=0" in first.stdout
    after_full = _numbers(database)

    appended = _run([python, "raw_events.py", "append"], env)
    second = _run([dbt, "build"], env)
    assert "ERROR=0" in second.stdout
    after_incremental = _numbers(database)

    # The package's singular checks ran (and passed) in both builds; a few
    # numbers read back here as well.
    for numbers in (after_full, after_incremental):
        assert numbers["turns"] == numbers["raw_prompt_ids"]
        assert numbers["unclassified"] == 0
        assert numbers["not_sampled"] > 0
        assert numbers["cohort_classifier"] > 0
    # The append brought new prompts (and one prompt delivered again, not a new turn).
    new_prompt_rows = int(appended.stdout.split("chat_prompt_created: ")[1].split()[0])
    assert after_incremental["turns"] == after_full["turns"] + new_prompt_rows - 1
    # The incremental run classified the new unlabelled prompt of the cohort user
    # and redacted the email in its text.
    assert after_incremental["classified_rows"] > after_full["classified_rows"]
    with duckdb.connect(str(database), read_only=True) as connection:
        staged = connection.execute(
            "select turns.intent_source "
            f"from {TARGET_SCHEMA}_ai_staging.stg_rudderstack__prompts as staged "
            f"join {TARGET_SCHEMA}.fct_ai_prompt_turns as turns "
            "on staged.event_id = turns.prompt_event_id "
            "where staged.prompt_text_redacted = ?",
            [APPENDED_PROMPT_REDACTED],
        ).fetchall()
    assert staged == [("classifier_offline",)]
