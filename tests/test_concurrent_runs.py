"""A second run on a DuckDB file that a build is using is refused with a
clear message, and the first build is not disturbed.

The first `dbt build` runs in a child process with the LLM classifier
pointed at the local stand-in API of tests/test_llm_classifier.py, which
holds every request until the test lets it go: the build then sits inside
the classifier with the database file open for as long as the test needs.
Meanwhile a second `dbt build` (same project, same file), `ai-analytics
summary` and `ai-analytics dashboard` must each stop with a message naming
the lock and the process holding it. Then the first build is released and
must end with every mart equal to the oracle.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from ai_analytics.cli import main as ai_analytics
from ai_analytics.database import in_use_message
from ai_analytics.demo_data import generate, write_duckdb
from tests.dbt_harness import (
    MARTS,
    read_classifier_labels,
    read_marts,
    run_dbt_subprocess,
    seed_prices,
    seed_taxonomy,
    start_dbt_subprocess,
)
from tests.expected_marts import expected_marts
from tests.test_llm_classifier import FakeLLM
from tests.test_marts_match_expectations import assert_same_mart

KEY_ENV_VAR = "AI_PA_CONCURRENCY_TEST_LLM_KEY"
HOLD_S = 300
LOCKED = "is locked by another process"


@dataclass
class Concurrent:
    """What each run printed while the first build held the file."""

    raw: dict[str, pd.DataFrame]
    database: Path
    first: subprocess.Popen[str]
    first_output: list[str]
    second: subprocess.CompletedProcess[str]
    summary: tuple[int, str]
    dashboard: tuple[int, str]


def _collect(process: subprocess.Popen[str], lines: list[str]) -> threading.Thread:
    """Read a child's output in the background, so its pipe never fills."""
    assert process.stdout is not None
    stream = process.stdout
    thread = threading.Thread(target=lambda: lines.extend(stream), daemon=True)
    thread.start()
    return thread


def _cli(argv: list[str]) -> tuple[int, str]:
    """Run an `ai-analytics` command in this process: exit code, stdout + stderr."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = ai_analytics(argv)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def concurrent(tmp_path_factory: pytest.TempPathFactory) -> Concurrent:
    work_dir = tmp_path_factory.mktemp("concurrent")
    database = work_dir / "warehouse.duckdb"
    raw = generate(events=1_500, seed=41)
    # No event labels: every prompt goes to the classifier, which then waits.
    raw["ai_user_prompt_created"]["classified_intent"] = None
    write_duckdb(raw, database)

    server = FakeLLM()
    release = threading.Event()
    server.script = lambda number, body: release.wait(HOLD_S) and None
    server.thread.start()
    variables = {
        "intent_classifier": "llm",
        "llm_base_url": server.url,
        "llm_model": "test/model",
        "llm_api_key_env_var": KEY_ENV_VAR,
        "llm_timeout_s": HOLD_S,
    }
    args = ("--vars", json.dumps(variables))
    env = {KEY_ENV_VAR: "sk-test-concurrency"}
    first = start_dbt_subprocess(database, work_dir, *args, env=env)
    first_output: list[str] = []
    reader = _collect(first, first_output)
    try:
        deadline = time.monotonic() + HOLD_S
        while not server.requests:
            assert first.poll() is None, "".join(first_output[-40:])
            assert time.monotonic() < deadline, "the first build never reached the classifier"
            time.sleep(0.2)
        # The first build is inside the classifier with the file open. Now the
        # others, as a user would start them: same project directory, same file.
        second = run_dbt_subprocess(database, work_dir, *args, env=env, check=False)
        summary = _cli(["summary", "--database", str(database)])
        dashboard = _cli(
            ["dashboard", "--database", str(database), "--out", str(work_dir / "d.html")]
        )
        assert first.poll() is None, "the first build ended while the others ran"
    finally:
        release.set()
        try:
            first.wait(timeout=HOLD_S)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
            reader.join(timeout=10)
            server.server.shutdown()
            server.server.server_close()
    return Concurrent(raw, database, first, first_output, second, summary, dashboard)


def test_a_second_build_is_refused_with_a_clear_message(concurrent: Concurrent) -> None:
    second = concurrent.second
    printed = second.stdout + second.stderr
    assert second.returncode != 0
    assert LOCKED in printed
    # It names the process that holds the file: the first build.
    assert f"PID {concurrent.first.pid}" in printed
    assert "another dbt build or run" in printed
    # The message is the whole story, not the last line of a traceback.
    assert "Traceback" not in printed


@pytest.mark.parametrize("command", ["summary", "dashboard"])
def test_reading_commands_are_refused_with_a_clear_message(
    concurrent: Concurrent, command: str
) -> None:
    code, printed = getattr(concurrent, command)
    assert code == 1
    assert printed.startswith(f"{command}: The DuckDB database {concurrent.database} {LOCKED}")
    assert f"PID {concurrent.first.pid}" in printed
    assert "Run this again when the build has finished" in printed


def test_the_first_build_completes_and_its_marts_equal_the_oracle(
    concurrent: Concurrent,
) -> None:
    assert concurrent.first.returncode == 0, "".join(concurrent.first_output[-60:])
    labels = read_classifier_labels(concurrent.database)
    assert set(labels["classifier"]) == {"llm"}
    assert set(labels["classification_status"]) == {"classified"}
    expected = expected_marts(concurrent.raw, seed_taxonomy(), seed_prices(), labels)
    marts = read_marts(concurrent.database)
    for mart in MARTS:
        assert_same_mart(marts[mart], expected[mart], mart)


def test_the_lock_message_without_a_pid() -> None:
    # DuckDB on Windows names no holder.
    error = OSError('IO Error: Could not set lock on file "C:\\w\\a.duckdb": File is in use')
    message = in_use_message("C:\\w\\a.duckdb", error, reading=False)
    assert message is not None
    assert message.startswith(f"The DuckDB database C:\\w\\a.duckdb {LOCKED}: most likely")
    assert in_use_message("a.duckdb", OSError("IO Error: disk full"), reading=False) is None
