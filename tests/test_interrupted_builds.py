"""A build killed in the middle and run again ends with the same marts as one
that was never interrupted.

`dbt build` runs in a child process; the test reads its output as it prints
and SIGKILLs it (no clean-up, as when a machine loses power or an
orchestrator kills a pod) at points that matter: while staging is being
written, inside the batch classifier, and after the first mart was committed
but before the others. Then it runs `dbt build` again, once or several times,
and compares every mart with the oracle computed from all the events. The
same on an incremental run: a full build, a new batch of events (late ones
and redeliveries among them), an incremental build killed twice, a rerun.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from ai_analytics.demo_data import generate, write_duckdb
from tests.dbt_harness import (
    MARTS,
    append_events,
    built_relations,
    read_classifier_labels,
    read_marts,
    run_dbt_subprocess,
    seed_prices,
    seed_taxonomy,
    start_dbt_subprocess,
)
from tests.expected_marts import expected_marts
from tests.test_incremental import add_redeliveries, load_time_chunks
from tests.test_marts_match_expectations import assert_same_mart

EVENTS = 4_000
VARIABLES = {
    # Mixed-spec data lacks some v0.1 columns the staging unit-test fixtures name.
    "ai_product_analytics_source_unit_tests": False,
    # Small classifier batches, so a kill at the first progress line lands
    # while prompts are still waiting to be classified.
    "intent_classification_batch_rows": 40,
}
ARGS = ("--vars", json.dumps(VARIABLES))
# The builds to be killed leave out data and unit tests, which write nothing
# (and would only make the test slower); every completing rerun runs them all.
WITHOUT_TESTS = ("--exclude", "resource_type:test", "resource_type:unit_test")

# Where to kill: the first output line that matches.
WHILE_STAGING = r"START sql incremental model main_ai_staging\.stg_rudderstack__user_actions\b"
INSIDE_CLASSIFIER = (
    r"ai_product_analytics: classified (?P<done>[\d,]+) of (?P<total>[\d,]+) prompts"
)
AFTER_FIRST_MART = r"OK created sql (table|incremental) model main\.fct_ai_prompt_turns\b"
TIMEOUT_S = 600


def build_killed_at(database: Path, work_dir: Path, pattern: str) -> list[str]:
    """Start `dbt build`, SIGKILL it at the first output line matching `pattern`.

    Fails if the build ends before printing such a line (the kill point was
    never reached, so the test would prove nothing). Returns what it printed.
    """
    process = start_dbt_subprocess(database, work_dir, *ARGS, *WITHOUT_TESTS)
    watchdog = threading.Timer(TIMEOUT_S, os.killpg, (process.pid, signal.SIGKILL))
    watchdog.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if re.search(pattern, line):
                os.killpg(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=60)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL, (
        f"dbt ended (exit {process.returncode}) before printing /{pattern}/:\n"
        + "".join(lines[-40:])
    )
    return lines


def assert_killed_mid_classification(printed: list[str]) -> None:
    """The kill came after a batch was classified and before the last one."""
    progress = re.search(INSIDE_CLASSIFIER, printed[-1])
    assert progress is not None
    done, total = (int(progress[name].replace(",", "")) for name in ("done", "total"))
    assert 0 < done < total


def assert_marts_match_oracle(database: Path, raw: dict[str, pd.DataFrame]) -> None:
    expected = expected_marts(raw, seed_taxonomy(), seed_prices(), read_classifier_labels(database))
    marts = read_marts(database)
    for mart in MARTS:
        assert_same_mart(marts[mart], expected[mart], mart)


def assert_nothing_left_behind(database: Path) -> None:
    """No relation a killed build was writing (dbt's `__dbt_tmp` and
    `__dbt_backup` relations) outlives the build that completed after it."""
    leftovers = [
        f"{schema}.{name}"
        for schema, name in built_relations(database)
        if "__dbt_tmp" in name or "__dbt_backup" in name
    ]
    assert leftovers == []


@dataclass
class Killed:
    """A warehouse whose first build was killed three times and then completed."""

    database: Path
    work_dir: Path
    chunks: list[dict[str, pd.DataFrame]]


@pytest.fixture(scope="module")
def killed_first_build(tmp_path_factory: pytest.TempPathFactory) -> Killed:
    work_dir = tmp_path_factory.mktemp("interrupted")
    database = work_dir / "warehouse.duckdb"
    # Two loads: the first builds from scratch, the second arrives for an
    # incremental run, with late events and redeliveries of earlier messages.
    chunks = load_time_chunks(generate(events=EVENTS, seed=31, spec="mixed"), 2)
    add_redeliveries(chunks)
    write_duckdb(chunks[0], database)

    # Killed while staging is being written: some staging tables committed, some not.
    build_killed_at(database, work_dir, WHILE_STAGING)
    # The rerun is killed inside the classifier: staging done, the turns not built yet.
    printed = build_killed_at(database, work_dir, INSIDE_CLASSIFIER)
    assert_killed_mid_classification(printed)
    assert not any(re.search(AFTER_FIRST_MART, line) for line in printed)
    # The next one after the first mart was committed, the other marts not yet.
    build_killed_at(database, work_dir, AFTER_FIRST_MART)
    run_dbt_subprocess(database, work_dir, *ARGS)
    return Killed(database, work_dir, chunks)


def test_a_first_build_killed_three_times_then_rerun_equals_the_oracle(
    killed_first_build: Killed,
) -> None:
    assert_marts_match_oracle(killed_first_build.database, killed_first_build.chunks[0])
    assert_nothing_left_behind(killed_first_build.database)


def test_an_incremental_build_killed_twice_then_rerun_equals_the_oracle(
    killed_first_build: Killed,
) -> None:
    # Runs after the test above, on the same warehouse: new events arrive.
    database, work_dir, chunks = (
        killed_first_build.database,
        killed_first_build.work_dir,
        killed_first_build.chunks,
    )
    append_events(database, chunks[1])
    # New events staged, the classifier killed on them.
    assert_killed_mid_classification(build_killed_at(database, work_dir, INSIDE_CLASSIFIER))
    # The rerun killed with one mart rebuilt over the new events, the others not.
    build_killed_at(database, work_dir, AFTER_FIRST_MART)
    run_dbt_subprocess(database, work_dir, *ARGS)

    everything = {
        name: pd.concat([chunk[name] for chunk in chunks], ignore_index=True) for name in chunks[0]
    }
    assert_marts_match_oracle(database, everything)
    assert_nothing_left_behind(database)
