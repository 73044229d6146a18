"""The batch classifier inside the dbt build: every sampled prompt gets a label, once."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ai_analytics.demo_data import generate, write_duckdb
from scripts.sync_warehouse_functions import TARGET, render
from tests.conftest import EVENTS
from tests.dbt_harness import (
    MARTS,
    read_classifier_labels,
    read_marts,
    run_dbt,
    seed_prices,
    seed_taxonomy,
)
from tests.expected_marts import expected_marts
from tests.test_llm_classifier import FakeLLM, Reply
from tests.test_marts_match_expectations import assert_same_mart

CLASSIFIED = "main_ai_intermediate.int_prompt_intents_classified"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}")


def _without_event_intents(seed: int) -> dict[str, pd.DataFrame]:
    """Demo data whose events carry no intent label: everything is left to the classifier."""
    raw = generate(events=EVENTS // 2, seed=seed)
    for table in ("ai_user_prompt_created", "ai_llm_response_received", "ai_user_action"):
        raw[table]["classified_intent"] = None
    return raw


def _bucket(user_key: str) -> int:
    return int(hashlib.md5(user_key.encode()).hexdigest()[:8], 16) % 100


@pytest.fixture(scope="module")
def unlabelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    work_dir = tmp_path_factory.mktemp("unlabelled")
    database = work_dir / "warehouse.duckdb"
    raw = _without_event_intents(seed=11)
    write_duckdb(raw, database)
    run_dbt(database, work_dir)
    return database, work_dir, raw


def test_every_sampled_prompt_gets_a_label_offline(unlabelled) -> None:
    database, _, _ = unlabelled
    turns = read_marts(database)["fct_ai_prompt_turns"]
    assert set(turns["intent_source"]) == {"classifier_offline"}
    assert turns["intent"].isin(seed_taxonomy()).all()
    # The offline model sees several intents in the demo prompts, not one catch-all.
    assert turns["intent"].nunique() >= 5


def test_a_second_run_classifies_nothing_new(unlabelled) -> None:
    database, work_dir, _ = unlabelled
    with duckdb.connect(str(database)) as connection:
        before = connection.sql(f"select * from {CLASSIFIED} order by 1").df()
    run_dbt(database, work_dir)
    with duckdb.connect(str(database)) as connection:
        after = connection.sql(f"select * from {CLASSIFIED} order by 1").df()
    # Same rows, and the same classified_at: nothing was classified again.
    pd.testing.assert_frame_equal(before, after)


def test_a_taxonomy_change_reclassifies(unlabelled, tmp_path: Path) -> None:
    database, _, _ = unlabelled
    copy = tmp_path / "copy.duckdb"
    shutil.copy(database, copy)
    run_dbt(copy, tmp_path, "--vars", "{intent_classifier_threshold: 0.05}")
    versions = f"select distinct classifier_version from {CLASSIFIED}"
    with duckdb.connect(str(database)) as connection:
        old = set(connection.sql(versions).fetchall())
    with duckdb.connect(str(copy)) as connection:
        new = set(connection.sql(versions).fetchall())
    assert len(new) == 1 and new != old


def test_sampling_skips_users_outside_the_sample_and_keeps_cohorts(tmp_path: Path) -> None:
    database = tmp_path / "sampled.duckdb"
    raw = _without_event_intents(seed=12)
    write_duckdb(raw, database)
    users = sorted(set(raw["ai_user_prompt_created"]["user_id"].dropna()))
    cohort = [u for u in users if _bucket(u) >= 30][:3]
    variables = {"intent_sample_pct": 30, "intent_always_classify_user_keys": cohort}
    run_dbt(database, tmp_path, "--vars", json.dumps(variables))
    labels = read_classifier_labels(database)
    turns = read_marts(database)["fct_ai_prompt_turns"]
    sampled = turns["user_key"].map(_bucket).lt(30) | turns["user_key"].isin(cohort)
    assert set(labels["prompt_event_id"]) == set(turns.loc[sampled, "prompt_event_id"])
    assert (turns.loc[~sampled, "intent"] == "not_sampled").all()
    assert turns.loc[turns["user_key"].isin(cohort), "intent_source"].eq("classifier_offline").all()
    expected = expected_marts(
        raw, seed_taxonomy(), seed_prices(), labels, sample_pct=30, cohort=frozenset(cohort)
    )
    marts = read_marts(database)
    for mart in MARTS:
        assert_same_mart(marts[mart], expected[mart], mart)
    coverage = marts["ai_classification_coverage"]
    assert (coverage["sampling_pct"] == 30).all()
    assert coverage["not_sampled"].sum() == (~sampled).sum()


def _llm_vars(url: str) -> str:
    return json.dumps(
        {
            "intent_classifier": "llm",
            "llm_base_url": url,
            "llm_model": "test/model",
            "llm_api_key_env_var": "AI_PA_TEST_LLM_KEY",
            "llm_timeout_s": 2,
        }
    )


def test_llm_classifier_in_the_build_redacts_and_survives_an_outage(tmp_path: Path) -> None:
    database = tmp_path / "llm.duckdb"
    raw = _without_event_intents(seed=13)
    write_duckdb(raw, database)
    server = FakeLLM()
    server.thread.start()
    os.environ["AI_PA_TEST_LLM_KEY"] = "sk-test-secret-key-0123456789"
    try:
        # The API is down for the whole first run: the build stays green.
        server.script = lambda n, body: Reply(status=503)
        run_dbt(database, tmp_path, "--vars", _llm_vars(server.url))
        labels = read_classifier_labels(database)
        assert set(labels["classification_status"]) == {"classification_error"}
        turns = read_marts(database)["fct_ai_prompt_turns"]
        assert (turns["intent"] == "unclassified").all()
        # Back up: the next run retries what failed and labels every prompt.
        server.script = lambda n, body: None
        run_dbt(database, tmp_path, "--vars", _llm_vars(server.url))
        labels = read_classifier_labels(database)
        assert set(labels["classification_status"]) == {"classified"}
        turns = read_marts(database)["fct_ai_prompt_turns"]
        assert set(turns["intent_source"]) == {"classifier_llm"}
    finally:
        os.environ.pop("AI_PA_TEST_LLM_KEY", None)
        server.server.shutdown()
        server.server.server_close()
    # Nothing that left the warehouse held an email address from the prompts.
    emails = {
        match
        for text in raw["ai_user_prompt_created"]["prompt_text"].dropna()
        for match in EMAIL.findall(text)
    }
    assert emails
    bodies = b"".join(record.raw for record in server.requests).decode()
    assert not [email for email in emails if email in bodies]
    assert "<EMAIL>" in bodies


def test_the_snowflake_udf_carries_the_current_redaction_code() -> None:
    assert TARGET.read_text() == render(), "run scripts/sync_warehouse_functions.py"
