"""Events recorded from RudderStack's own AI SDK (spec v0.3) build and give the right marts.

The messages in tests/fixtures/sdk_v0_3 were produced by the real `rudderstack-ai`
SDK and `rudder-sdk-python` client (scripts/record_sdk_events.py); they are
loaded by the warehouse-loader emulation, built with dbt, and checked against
the pandas oracle and against totals computed here straight from the messages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ai_analytics.warehouse_loader import load_jsonl
from tests.dbt_harness import (
    MARTS,
    NO_SOURCE_FIXTURES,
    read_classifier_labels,
    read_marts,
    read_raw_tables,
    run_dbt,
    seed_prices,
    seed_taxonomy,
)
from tests.expected_marts import expected_marts
from tests.test_marts_match_expectations import assert_same_mart

FIXTURE = Path(__file__).parent / "fixtures" / "sdk_v0_3" / "messages.jsonl"


def _messages() -> list[dict]:
    """The recorded messages, one per message id (RudderStack may deliver twice)."""
    unique: dict[str, dict] = {}
    for line in FIXTURE.read_text().splitlines():
        message = json.loads(line)
        unique.setdefault(message["messageId"], message)
    return list(unique.values())


def _events(name: str) -> list[dict]:
    return [m for m in _messages() if m.get("event") == name]


@pytest.fixture(scope="module")
def sdk_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work_dir = tmp_path_factory.mktemp("sdk")
    database = work_dir / "sdk.duckdb"
    load_jsonl(FIXTURE, database)
    run_dbt(database, work_dir, *NO_SOURCE_FIXTURES)
    return database, work_dir


@pytest.mark.parametrize("mart", MARTS)
def test_sdk_events_match_the_oracle(sdk_build: tuple[Path, Path], mart: str) -> None:
    database, _ = sdk_build
    expected = expected_marts(
        read_raw_tables(database),
        seed_taxonomy(),
        seed_prices(),
        read_classifier_labels(database),
    )
    assert_same_mart(read_marts(database)[mart], expected[mart], mart)


def test_every_interaction_is_one_response(sdk_build: tuple[Path, Path]) -> None:
    database, _ = sdk_build
    marts = read_marts(database)
    responses = _events("ai_response_received")
    assert int(marts["ai_cost_daily"]["responses"].sum()) == len(responses)
    assert int(marts["ai_engagement_daily"]["responses"].sum()) == len(responses)
    assert int(marts["fct_ai_prompt_turns"].shape[0]) == len(_events("ai_user_prompt_created"))


def test_cost_is_the_sdk_totals_plus_what_the_price_seed_derives(
    sdk_build: tuple[Path, Path],
) -> None:
    database, _ = sdk_build
    prices = seed_prices()
    reported = 0.0
    derived = 0.0
    for event in _events("ai_response_received"):
        props = event["properties"]
        if props.get("total_cost_usd") is not None:
            reported += props["total_cost_usd"]
            continue
        model = props.get("primary_model", "")
        matches = [
            row
            for row in prices.itertuples()
            if model == row.model or model.startswith(f"{row.model}-20")
        ]
        if matches and "total_input_tokens" in props:
            price = max(matches, key=lambda row: len(row.model))
            derived += (
                props["total_input_tokens"] * price.input_usd_per_1m
                + props["total_output_tokens"] * price.output_usd_per_1m
            ) / 1e6
    cost = read_marts(database)["ai_cost_daily"]
    assert cost["total_cost_usd"].sum() == pytest.approx(reported + derived, rel=1e-9)
    assert cost["derived_cost_usd"].sum() == pytest.approx(derived, rel=1e-9)
    assert derived > 0, "the fixture has a response the SDK could not price"


def test_retracted_rating_disappears_from_satisfaction(sdk_build: tuple[Path, Path]) -> None:
    database, _ = sdk_build
    actions = sorted(_events("ai_user_action"), key=lambda m: m["timestamp"])
    retracted_at: dict[str, str] = {}
    for action in actions:
        props = action["properties"]
        if props["action_type"] == "feedback_retracted":
            retracted_at[props["interaction_id"]] = action["timestamp"]
    ratings = []
    retracted_ratings = 0
    for action in actions:
        props = action["properties"]
        details = props.get("action_details", {})
        if props["action_type"] != "feedback_given" or details.get("feedback_type") != "rating":
            continue
        if retracted_at.get(props["interaction_id"], "") >= action["timestamp"]:
            retracted_ratings += 1
        else:
            ratings.append(details["feedback_value"])
    assert retracted_ratings >= 1, "the fixture retracts a rating"
    satisfaction = read_marts(database)["ai_satisfaction_by_intent"]
    assert int(satisfaction["ratings"].sum()) == len(ratings)
    weighted = (satisfaction["avg_rating"].fillna(0) * satisfaction["ratings"]).sum()
    assert weighted / satisfaction["ratings"].sum() == pytest.approx(sum(ratings) / len(ratings))


def test_thumbs_discarded_by_the_loader_still_count(sdk_build: tuple[Path, Path]) -> None:
    database, _ = sdk_build
    thumbs = [
        a
        for a in _events("ai_user_action")
        if a["properties"].get("action_details", {}).get("feedback_type") == "thumbs"
    ]
    with duckdb.connect(str(database)) as connection:
        discarded = connection.sql("select count(*) from rudderstack.rudder_discards").fetchall()[
            0
        ][0]
    assert discarded >= 1, "a thumbs after a rating lands in rudder_discards"
    satisfaction = read_marts(database)["ai_satisfaction_by_intent"]
    assert int(satisfaction["thumbs"].sum()) == len(thumbs)
    assert int(satisfaction["thumbs_up"].sum()) == sum(
        1 for a in thumbs if a["properties"]["action_details"]["feedback_value"] is True
    )


RESPONSE_MARTS = [
    "fct_ai_prompt_turns",
    "fct_ai_conversations",
    "ai_cost_daily",
    "ai_model_performance_daily",
    "ai_latency_by_intent",
    "ai_engagement_daily",
]


def test_per_call_rows_never_change_responses_or_cost(
    sdk_build: tuple[Path, Path], tmp_path: Path
) -> None:
    database, _ = sdk_build
    assert any("interaction_id" in e["properties"] for e in _events("ai_llm_response_received"))
    without_calls = tmp_path / "without_calls.duckdb"
    shutil.copy(database, without_calls)
    with duckdb.connect(str(without_calls)) as connection:
        connection.sql("delete from rudderstack.ai_llm_response_received")
    run_dbt(without_calls, tmp_path, *NO_SOURCE_FIXTURES)
    with_calls, without = read_marts(database), read_marts(without_calls)
    for mart in RESPONSE_MARTS:
        pd.testing.assert_frame_equal(
            with_calls[mart].sort_values(list(with_calls[mart].columns)).reset_index(drop=True),
            without[mart].sort_values(list(without[mart].columns)).reset_index(drop=True),
            obj=mart,
        )
    # The calls themselves move from the per-call events to the usage breakdowns.
    calls_with = with_calls["ai_model_calls_daily"]
    calls_without = without["ai_model_calls_daily"]
    assert calls_with["calls_from_events"].sum() > 0
    assert calls_without["calls_from_events"].sum() == 0
