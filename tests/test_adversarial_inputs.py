"""Adversarial raw tables: the build stays green and every mart equals the oracle.

One main build holds many adversarial cases side by side with demo data, each
in its own users and conversations (ids start with ``adv_<case>``); the cases
that change a table's shape (empty tables, standard columns only, all-NULL
property columns) get their own tiny builds.

One user sends 100,000 prompts (half in one conversation, half in 5,000 of
ten): response linking by conversation and time, transitions and sessions
must stay correct and linear in the size of a conversation.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from ai_analytics.demo_data import STANDARD_COLUMNS, generate, write_duckdb
from tests.dbt_harness import (
    MARTS,
    NO_SOURCE_FIXTURES,
    read_classifier_labels,
    read_marts,
    read_relation,
    run_dbt,
    seed_prices,
    seed_taxonomy,
)
from tests.expected_marts import expected_marts
from tests.test_marts_match_expectations import assert_same_mart

PROMPTS = "ai_user_prompt_created"
RESPONSES = "ai_llm_response_received"
ACTIONS = "ai_user_action"
DISCARDS = "rudder_discards"
EVENT_TABLES = (PROMPTS, RESPONSES, ACTIONS)
STANDARD = [name for name, _ in STANDARD_COLUMNS]
STAGING = "main_ai_staging"

SQL = "'); drop table x; --"
LONG_TEXT = ("word " * 20_000)[:-1] + "!"  # 100,000 characters (staging trims text)
EMOJI = "👩🏽‍💻 refund 🚀🔥"
ARABIC = "أريد استرداد أموالي"
HEBREW = "אני רוצה החזר כספי"
NUL = "before\x00after"
HEAVY_ONE_CONVERSATION = 50_000
HEAVY_CONVERSATIONS = 5_000
HEAVY_PER_CONVERSATION = 10
HEAVY_PROMPTS = HEAVY_ONE_CONVERSATION + HEAVY_CONVERSATIONS * HEAVY_PER_CONVERSATION  # 100,000
HUGE_LATENCY = 9_000_000_000_000_000_000
EVENT_TIME_FLOOR = "2010-01-01"
T0 = pd.Timestamp("2026-10-10 12:00:00", tz="UTC")


# --------------------------------------------------------------------------
# Building rows


def _rows(raw: dict[str, pd.DataFrame], table: str, n: int = 1, **values: Any) -> pd.DataFrame:
    """n rows shaped like `table` (first demo row as a template), `values` overriding.

    A value is a scalar (every row) or a sequence of n values. Load times follow
    the event time unless given.
    """
    template = raw[table].iloc[[0] * n].reset_index(drop=True)
    template["id"] = [f"adv_{uuid.uuid4()}" for _ in range(n)]
    values.setdefault("timestamp", T0)
    for column, value in values.items():
        template[column] = value if np.ndim(value) else [value] * n
    for column, offset in (("original_timestamp", 0), ("sent_at", 1), ("received_at", 2)):
        if column not in values:
            template[column] = template["timestamp"] + pd.Timedelta(milliseconds=offset)
    if "uuid_ts" not in values:
        template["uuid_ts"] = template["received_at"] + pd.Timedelta(seconds=1)
    if "user_id" in values and "anonymous_id" not in values:
        template["anonymous_id"] = [f"anon_{v}" for v in template["user_id"]]
    return template


def _append(raw: dict[str, pd.DataFrame], table: str, *frames: pd.DataFrame) -> None:
    dtypes = raw[table].dtypes
    combined = pd.concat([raw[table], *frames], ignore_index=True)
    raw[table] = combined.astype({c: dtypes[c] for c in combined.columns if c in dtypes})


def _turn(
    raw: dict[str, pd.DataFrame],
    user: str,
    conversation: str | None,
    at: pd.Timestamp,
    prompt: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    action: dict[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """One prompt, its response a second later and an action two seconds later."""
    common = {"user_id": user, "conversation_id": conversation}
    frames = {
        PROMPTS: _rows(raw, PROMPTS, **{**common, "timestamp": at, **(prompt or {})}),
        RESPONSES: _rows(
            raw,
            RESPONSES,
            **{**common, "timestamp": at + pd.Timedelta(seconds=1), **(response or {})},
        ),
        ACTIONS: _rows(
            raw, ACTIONS, **{**common, "timestamp": at + pd.Timedelta(seconds=2), **(action or {})}
        ),
    }
    for table, frame in frames.items():
        _append(raw, table, frame)
    return frames


def _property_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in STANDARD]


# --------------------------------------------------------------------------
# The cases of the main build


@dataclass
class Cases:
    """Ids of the rows each case added, for the targeted checks."""

    all_null: dict[str, pd.DataFrame]
    long_text: dict[str, pd.DataFrame]
    unicode_conversation: str
    unicode_user: str
    nul_conversation: str
    unicode_prompt_ids: list[str]
    sql_id: str
    sql_conversation: str
    sql_user: str
    duplicate_prompt: str
    duplicate_response: str
    duplicate_action: str
    duplicate_tie_prompt: str
    past_day: pd.Timestamp
    future_day: pd.Timestamp
    heavy_user: str
    odd_enum_conversation: str
    great_action: str


def _add_cases(raw: dict[str, pd.DataFrame]) -> Cases:
    # All-NULL properties: every property column NULL on one row of each table.
    all_null = {}
    for table in EVENT_TABLES:
        frame = _rows(raw, table, user_id="adv_allnull", timestamp=T0)
        for column in _property_columns(frame):
            frame[column] = None
        _append(raw, table, frame)
        all_null[table] = frame

    # A 100 KB prompt (and answer and feedback text).
    long_text = _turn(
        raw,
        "adv_long",
        "adv_long_conv",
        T0,
        prompt={"prompt_text": LONG_TEXT, "classified_intent": None},
        response={"response_text": LONG_TEXT},
        action={"action_details_feedback_text": LONG_TEXT},
    )

    # Emoji, right-to-left and NUL bytes in texts and ids.
    unicode_conversation = f"adv_uni_{EMOJI}_{ARABIC}_{HEBREW}"
    unicode_user = f"adv_uni_👩‍💻_{HEBREW}"
    nul_conversation = "adv_nul_conv\x00x"
    unicode_prompt_ids = []
    for i, (conversation, text) in enumerate(
        [
            (unicode_conversation, f"{EMOJI} {ARABIC}"),
            (unicode_conversation, f"{HEBREW} ‏RLM‎ mark"),
            (nul_conversation, NUL),
        ]
    ):
        frames = _turn(
            raw,
            unicode_user if i < 2 else "adv_nul_user\x00",
            conversation,
            T0 + pd.Timedelta(minutes=i),
            prompt={
                "prompt_text": text,
                "id": f"adv_uni_{i}_{EMOJI}{ARABIC}",
                "classified_intent": None,
            },
            response={"response_text": text},
            action={
                "action_type": "feedback_given",
                "action_details_feedback_type": "rating",
                "action_details_feedback_value": 4,
                "action_details_feedback_text": text,
            },
        )
        unicode_prompt_ids.append(frames[PROMPTS]["id"].iloc[0])

    # SQL-looking text in text columns, enum columns and ids.
    sql_id = f"adv_sql_{SQL}"
    sql_conversation = f"adv_sql_conv{SQL}"
    sql_user = f"adv_sql_user{SQL}"
    _turn(
        raw,
        sql_user,
        sql_conversation,
        T0,
        prompt={
            "id": sql_id,
            "prompt_text": SQL,
            "input_method": SQL,
            "classified_intent": SQL,
        },
        response={
            "id": sql_id + "_r",
            "response_text": SQL,
            "response_status": SQL,
            "model_used": SQL,
            "classified_intent": SQL,
            "error_message": SQL,
        },
        action={
            "id": sql_id + "_a",
            "action_type": SQL,
            "action_details_feedback_type": SQL,
            "action_details_feedback_text": SQL,
        },
    )

    # Duplicate ids with different contents: the latest received_at wins. The
    # later delivery is added first, so row order cannot decide.
    late = T0 + pd.Timedelta(hours=5)
    dup = {
        PROMPTS: "adv_dup_prompt",
        RESPONSES: "adv_dup_response",
        ACTIONS: "adv_dup_action",
    }
    new = _turn(
        raw,
        "adv_dup_new_user",
        "adv_dup_new",
        T0 + pd.Timedelta(hours=1),
        prompt={"id": dup[PROMPTS], "input_method": "voice", "received_at": late},
        response={
            "id": dup[RESPONSES],
            "response_status": "success",
            "latency_ms": 1234,
            "model_used": "gpt-4o",
            "received_at": late,
        },
        action={
            "id": dup[ACTIONS],
            "action_type": "feedback_given",
            "action_details_feedback_type": "rating",
            "action_details_feedback_value": 5,
            "received_at": late,
        },
    )
    assert all(frame["received_at"].iloc[0] == late for frame in new.values())
    _turn(
        raw,
        "adv_dup_old_user",
        "adv_dup_old",
        T0,
        prompt={"id": dup[PROMPTS], "input_method": "text"},
        response={
            "id": dup[RESPONSES],
            "response_status": "error",
            "latency_ms": 99,
            "model_used": "gpt-4o-mini",
        },
        action={
            "id": dup[ACTIONS],
            "action_type": "regenerated",
            "action_details_feedback_type": None,
            "action_details_feedback_value": None,
        },
    )
    # Same received_at: the latest uuid_ts wins.
    tie = "adv_dup_tie_prompt"
    same = T0 + pd.Timedelta(hours=2)
    _append(
        raw,
        PROMPTS,
        _rows(
            raw,
            PROMPTS,
            id=tie,
            user_id="adv_tie_winner",
            conversation_id="adv_tie_winner",
            received_at=same,
            uuid_ts=same + pd.Timedelta(minutes=9),
        ),
        _rows(
            raw,
            PROMPTS,
            id=tie,
            user_id="adv_tie_loser",
            conversation_id="adv_tie_loser",
            received_at=same,
            uuid_ts=same + pd.Timedelta(minutes=1),
        ),
    )

    # Events years in the past and in the future.
    past = pd.Timestamp("2001-02-03 04:05:06", tz="UTC")
    future = pd.Timestamp("2099-12-31 23:59:58", tz="UTC")
    _turn(raw, "adv_past", "adv_past_conv", past)
    _turn(raw, "adv_future", "adv_future_conv", future)

    # One user with 100,000 prompts: half in one conversation, half in 5,000.
    heavy = "adv_heavy"
    offsets = pd.to_timedelta(np.arange(HEAVY_PROMPTS), unit="s")
    conversations = ["adv_heavy_one"] * HEAVY_ONE_CONVERSATION + [
        f"adv_heavy_{i // HEAVY_PER_CONVERSATION:04d}"
        for i in range(HEAVY_CONVERSATIONS * HEAVY_PER_CONVERSATION)
    ]
    _append(
        raw,
        PROMPTS,
        _rows(
            raw,
            PROMPTS,
            HEAVY_PROMPTS,
            user_id=heavy,
            conversation_id=conversations,
            timestamp=T0 + offsets,
            prompt_number=np.arange(1, HEAVY_PROMPTS + 1),
        ),
    )
    # A response to every 100th prompt (a second after it).
    every = slice(0, HEAVY_PROMPTS, 100)
    _append(
        raw,
        RESPONSES,
        _rows(
            raw,
            RESPONSES,
            len(range(HEAVY_PROMPTS)[every]),
            user_id=heavy,
            conversation_id=conversations[every],
            timestamp=T0 + offsets[every] + pd.Timedelta(milliseconds=500),
        ),
    )

    # Odd casing and unknown enum values, negative and huge latency, a word as feedback.
    odd = "adv_odd_conv"
    statuses = [" SUCCESS ", "Timeout", "ERROR", "weird_status", "", None]
    latencies = [-500, HUGE_LATENCY, 0, None, -1, 1]
    actions = [
        (" Feedback_Given ", " Rating ", 4),
        ("REGENERATED", None, None),
        ("Copied_Response", None, None),
        ("launched_rocket", None, None),
        ("  ", None, None),
        ("feedback_given", "THUMBS", None),
    ]
    for i, status in enumerate(statuses):
        action_type, feedback_type, value = actions[i]
        _turn(
            raw,
            "adv_odd_user",
            odd,
            T0 + pd.Timedelta(minutes=i),
            prompt={"input_method": [" TEXT", "Voice", "telepathy", "", None, "BUTTON"][i]},
            response={
                "response_status": status,
                "latency_ms": latencies[i],
                "model_used": [" GPT-4o ", "Unknown-Model", "gpt-4o-mini", None, "", "GPT-4O"][i],
            },
            action={
                "action_type": action_type,
                "action_details_feedback_type": feedback_type,
                "action_details_feedback_value": value,
            },
        )
    # Odd feedback values arrive as discarded values (the column is a number):
    # a word, SQL, padded and cased thumbs, non-finite and odd numbers.
    # (Non-finite values, 'NaN' and 'inf', have their own build: see below.)
    odd_values = ["great", SQL, " 5 ", "Up", "TRUE", "1e3", "-1", "4.0", ""]
    odd_actions = _rows(
        raw,
        ACTIONS,
        len(odd_values),
        user_id="adv_odd_user",
        conversation_id=odd,
        timestamp=T0 + pd.Timedelta(minutes=40),
        action_type="feedback_given",
        action_details_feedback_type=["rating", "rating", "rating", "thumbs", "thumbs"]
        + ["rating"] * (len(odd_values) - 5),
        action_details_feedback_value=None,
    )
    _append(raw, ACTIONS, odd_actions)
    _append(
        raw,
        DISCARDS,
        pd.DataFrame(
            {
                "table_name": ACTIONS,
                "row_id": odd_actions["id"],
                "column_name": "action_details_feedback_value",
                "column_value": odd_values,
                "received_at": odd_actions["received_at"],
                "uuid_ts": odd_actions["uuid_ts"],
                "reason": "incompatible schema conversion from int to string",
            }
        ),
    )
    # 'great' arrives as a discarded value (the column is a number).
    great = _turn(
        raw,
        "adv_odd_user",
        odd,
        T0 + pd.Timedelta(minutes=30),
        action={
            "action_type": "feedback_given",
            "action_details_feedback_type": "rating",
            "action_details_feedback_value": None,
        },
    )[ACTIONS]
    great_id = great["id"].iloc[0]

    # Rows the quarantine must list, in every event table: no id (not staged),
    # no event time, an event time ten days after it was received, no user.
    # (The 2001 events above fall before the main build's event_time_floor.)
    for table in EVENT_TABLES:
        _append(
            raw,
            table,
            _rows(raw, table, id=None, user_id="adv_q_no_id", conversation_id="adv_q_conv"),
            _rows(
                raw,
                table,
                user_id="adv_q_no_time",
                conversation_id="adv_q_conv",
                timestamp=pd.NaT,
                received_at=T0,
            ),
            _rows(
                raw,
                table,
                user_id="adv_q_future",
                conversation_id="adv_q_conv",
                timestamp=T0 + pd.Timedelta(days=10),
                received_at=T0,
            ),
            _rows(raw, table, user_id=None, anonymous_id=None, conversation_id="adv_q_conv"),
        )
    _append(
        raw,
        DISCARDS,
        pd.DataFrame(
            {
                "table_name": [ACTIONS],
                "row_id": [great_id],
                "column_name": ["action_details_feedback_value"],
                "column_value": ["great"],
                "received_at": great["received_at"],
                "uuid_ts": great["uuid_ts"],
                "reason": ["incompatible schema conversion from int to string"],
            }
        ),
    )
    return Cases(
        all_null=all_null,
        long_text=long_text,
        unicode_conversation=unicode_conversation,
        unicode_user=unicode_user,
        nul_conversation=nul_conversation,
        unicode_prompt_ids=unicode_prompt_ids,
        sql_id=sql_id,
        sql_conversation=sql_conversation,
        sql_user=sql_user,
        duplicate_prompt=dup[PROMPTS],
        duplicate_response=dup[RESPONSES],
        duplicate_action=dup[ACTIONS],
        duplicate_tie_prompt=tie,
        past_day=past.tz_convert(None).normalize(),
        future_day=future.tz_convert(None).normalize(),
        heavy_user=heavy,
        odd_enum_conversation=odd,
        great_action=great_id,
    )


# --------------------------------------------------------------------------
# Builds


@dataclass
class Built:
    database: Path
    raw: dict[str, pd.DataFrame]
    marts: dict[str, pd.DataFrame]
    expected: dict[str, pd.DataFrame]
    cases: Cases | None = None


def _build(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    raw: dict[str, pd.DataFrame],
    *extra: str,
    event_time_floor: str | None = None,
    file_name: str = "warehouse.duckdb",
) -> Built:
    work_dir = tmp_path_factory.mktemp(name)
    database = work_dir / file_name
    write_duckdb(raw, database)
    if event_time_floor is not None:
        extra = (*extra, "--vars", json.dumps({"event_time_floor": event_time_floor}))
    run_dbt(database, work_dir, *extra)
    expected = expected_marts(
        raw,
        seed_taxonomy(),
        seed_prices(),
        read_classifier_labels(database),
        event_time_floor=event_time_floor,
    )
    return Built(database, raw, read_marts(database), expected)


@pytest.fixture(scope="module")
def main_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    raw = generate(events=2000, seed=5)
    cases = _add_cases(raw)
    built = _build(tmp_path_factory, "adversarial_main", raw, event_time_floor=EVENT_TIME_FLOOR)
    built.cases = cases
    return built


@pytest.fixture(scope="module")
def empty_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    raw = {name: frame.iloc[0:0] for name, frame in generate(events=200, seed=5).items()}
    return _build(tmp_path_factory, "adversarial_empty", raw)


@pytest.fixture(scope="module")
def standard_only_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    # No property column at all, and (as in a warehouse where nothing was
    # ever discarded) no rudder_discards table.
    raw = generate(events=300, seed=5)
    raw = {name: raw[name][STANDARD].copy() for name in EVENT_TABLES}
    return _build(tmp_path_factory, "adversarial_standard_only", raw, *NO_SOURCE_FIXTURES)


@pytest.fixture(scope="module")
def all_null_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    raw = generate(events=300, seed=5)
    for name in EVENT_TABLES:
        frame = raw[name].copy()
        for column in _property_columns(frame):
            frame[column] = pd.Series([None] * len(frame), dtype=frame[column].dtype)
        raw[name] = frame
    raw[DISCARDS] = raw[DISCARDS].iloc[0:0]
    # DuckDB names the database after the file: a name that is a SQL keyword
    # must still work wherever the package reads the raw tables.
    return _build(tmp_path_factory, "adversarial_all_null", raw, file_name="order.duckdb")


NON_FINITE = ["NaN", "inf", "-Infinity"]


@pytest.fixture(scope="module")
def non_finite_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Feedback values 'NaN', 'inf', '-Infinity' on ratings (put back from rudder_discards)."""
    raw = generate(events=200, seed=5)
    frames = _turn(
        raw,
        "adv_nonfinite_user",
        "adv_nonfinite_conv",
        T0,
        action={
            "action_type": "feedback_given",
            "action_details_feedback_type": "rating",
            "action_details_feedback_value": 4,
        },
    )
    actions = _rows(
        raw,
        ACTIONS,
        len(NON_FINITE),
        user_id="adv_nonfinite_user",
        conversation_id="adv_nonfinite_conv",
        timestamp=T0 + pd.Timedelta(seconds=5),
        action_type="feedback_given",
        action_details_feedback_type="rating",
        action_details_feedback_value=None,
    )
    _append(raw, ACTIONS, actions)
    _append(
        raw,
        DISCARDS,
        pd.DataFrame(
            {
                "table_name": ACTIONS,
                "row_id": actions["id"],
                "column_name": "action_details_feedback_value",
                "column_value": NON_FINITE,
                "received_at": actions["received_at"],
                "uuid_ts": actions["uuid_ts"],
                "reason": "incompatible schema conversion from int to string",
            }
        ),
    )
    built = _build(tmp_path_factory, "adversarial_non_finite", raw)
    built.cases = frames[PROMPTS]["id"].iloc[0]  # type: ignore[assignment]
    return built


# DuckDB (and Snowflake) read 'NaN', 'inf' and '-Infinity' as numbers; staging
# accepts only plain decimal numbers as ratings (docs/definitions.md).


# --------------------------------------------------------------------------
# Every mart equals the oracle


@pytest.mark.parametrize("mart", MARTS)
def test_main_build_marts_match_oracle(main_build: Built, mart: str) -> None:
    assert_same_mart(main_build.marts[mart], main_build.expected[mart], mart)


@pytest.mark.parametrize("mart", MARTS)
def test_empty_tables_build_and_marts_match_oracle(empty_build: Built, mart: str) -> None:
    assert_same_mart(empty_build.marts[mart], empty_build.expected[mart], mart)


@pytest.mark.parametrize("mart", MARTS)
def test_non_finite_feedback_marts_match_oracle(non_finite_build: Built, mart: str) -> None:
    assert_same_mart(non_finite_build.marts[mart], non_finite_build.expected[mart], mart)


def test_non_finite_feedback_is_not_a_rating(non_finite_build: Built) -> None:
    actions = _staged(non_finite_build.database, "stg_rudderstack__user_actions")
    mine = actions[actions["conversation_id"] == "adv_nonfinite_conv"]
    assert len(mine) == 1 + len(NON_FINITE)
    assert mine["rating_value"].dropna().tolist() == [4.0]
    turn = _turns(non_finite_build).loc[non_finite_build.cases]
    assert turn["rating_count"] == 1 and turn["avg_rating"] == 4.0


def test_empty_tables_give_empty_fact_tables(empty_build: Built) -> None:
    for mart in ("fct_ai_prompt_turns", "fct_ai_conversations", "ai_engagement_by_user"):
        assert empty_build.marts[mart].empty, mart


@pytest.mark.parametrize("mart", MARTS)
def test_standard_columns_only_build_and_marts_match_oracle(
    standard_only_build: Built, mart: str
) -> None:
    assert_same_mart(standard_only_build.marts[mart], standard_only_build.expected[mart], mart)


def test_standard_columns_only_keep_every_prompt(standard_only_build: Built) -> None:
    turns = standard_only_build.marts["fct_ai_prompt_turns"]
    prompts = standard_only_build.raw[PROMPTS]
    assert set(turns["prompt_event_id"]) == set(prompts["id"])
    assert turns["conversation_id"].isna().all()


@pytest.mark.parametrize("mart", MARTS)
def test_all_null_properties_build_and_marts_match_oracle(all_null_build: Built, mart: str) -> None:
    assert_same_mart(all_null_build.marts[mart], all_null_build.expected[mart], mart)


def test_all_null_properties_keep_every_prompt(all_null_build: Built) -> None:
    turns = all_null_build.marts["fct_ai_prompt_turns"]
    assert set(turns["prompt_event_id"]) == set(all_null_build.raw[PROMPTS]["id"])
    assert turns["conversation_id"].isna().all()
    assert (turns["responses"] == 0).all()


# --------------------------------------------------------------------------
# Targeted checks on the main build


def _staged(database: Path, model: str) -> pd.DataFrame:
    return read_relation(database, model, STAGING)


def _turns(built: Built) -> pd.DataFrame:
    return built.marts["fct_ai_prompt_turns"].set_index("prompt_event_id")


def test_all_null_rows_are_staged_and_unlinked(main_build: Built) -> None:
    cases = main_build.cases
    assert cases is not None
    prompt_id = cases.all_null[PROMPTS]["id"].iloc[0]
    turn = _turns(main_build).loc[prompt_id]
    assert pd.isna(turn["conversation_id"])
    assert turn["responses"] == 0 and turn["feedback_events"] == 0
    user = main_build.marts["ai_engagement_by_user"].set_index("user_key").loc["adv_allnull"]
    assert user["prompts"] == 1


def test_long_text_is_measured_not_copied(main_build: Built) -> None:
    cases = main_build.cases
    assert cases is not None
    assert len(LONG_TEXT) == 100_000
    prompts = _staged(main_build.database, "stg_rudderstack__prompts").set_index("event_id")
    prompt_id = cases.long_text[PROMPTS]["id"].iloc[0]
    assert prompts.loc[prompt_id, "prompt_length_chars"] == 100_000
    responses = _staged(main_build.database, "stg_rudderstack__llm_responses").set_index("event_id")
    assert (
        responses.loc[cases.long_text[RESPONSES]["id"].iloc[0], "response_length_chars"] == 100_000
    )
    actions = _staged(main_build.database, "stg_rudderstack__user_actions").set_index("event_id")
    assert actions.loc[cases.long_text[ACTIONS]["id"].iloc[0], "feedback_length_chars"] == 100_000
    turn = _turns(main_build).loc[prompt_id]
    assert turn["responses"] == 1


def test_duckdb_keeps_nul_bytes() -> None:
    with duckdb.connect() as connection:
        value, length = connection.execute(
            "select ?::varchar, length(?::varchar)", [NUL, NUL]
        ).fetchone()
    assert value == NUL and length == len(NUL)


def test_unicode_and_nul_ids_round_trip(main_build: Built) -> None:
    cases = main_build.cases
    assert cases is not None
    turns = _turns(main_build)
    for prompt_id in cases.unicode_prompt_ids:
        assert prompt_id in turns.index
        assert turns.loc[prompt_id, "responses"] == 1
        assert turns.loc[prompt_id, "feedback_events"] == 1
        assert turns.loc[prompt_id, "avg_rating"] == 4
    assert turns.loc[cases.unicode_prompt_ids[0], "conversation_id"] == cases.unicode_conversation
    assert turns.loc[cases.unicode_prompt_ids[0], "user_key"] == cases.unicode_user
    assert turns.loc[cases.unicode_prompt_ids[2], "conversation_id"] == cases.nul_conversation
    conversations = main_build.marts["fct_ai_conversations"].set_index("conversation_id")
    assert conversations.loc[cases.unicode_conversation, "prompts"] == 2
    assert conversations.loc[cases.nul_conversation, "prompts"] == 1
    prompts = _staged(main_build.database, "stg_rudderstack__prompts").set_index("event_id")
    assert prompts.loc[cases.unicode_prompt_ids[2], "prompt_length_chars"] == len(NUL)


def test_sql_looking_values_are_data(main_build: Built) -> None:
    cases = main_build.cases
    assert cases is not None
    with duckdb.connect(str(main_build.database)) as connection:
        tables = {
            row[0] for row in connection.sql("select table_name from duckdb_tables()").fetchall()
        }
    assert "x" not in tables
    turn = _turns(main_build).loc[cases.sql_id]
    assert turn["conversation_id"] == cases.sql_conversation
    assert turn["user_key"] == cases.sql_user
    assert turn["responses"] == 1
    # Off-taxonomy label: the intent comes from the classifier instead.
    assert turn["intent_source"] != "event"
    assert turn["response_status"] == SQL.strip().lower()
    assert turn["model_used"] == SQL.strip().lower()


def test_duplicates_latest_delivery_wins_everywhere(main_build: Built) -> None:
    cases = main_build.cases
    assert cases is not None
    database = main_build.database
    prompts = _staged(database, "stg_rudderstack__prompts")
    responses = _staged(database, "stg_rudderstack__llm_responses")
    actions = _staged(database, "stg_rudderstack__user_actions")
    for frame in (prompts, responses, actions):
        assert frame["event_id"].is_unique
    prompt = prompts.set_index("event_id").loc[cases.duplicate_prompt]
    assert (prompt["conversation_id"], prompt["input_method"]) == ("adv_dup_new", "voice")
    assert prompt["user_key"] == "adv_dup_new_user"
    response = responses.set_index("event_id").loc[cases.duplicate_response]
    assert (response["response_status"], response["latency_ms"]) == ("success", 1234)
    action = actions.set_index("event_id").loc[cases.duplicate_action]
    assert (action["action_type"], action["rating_value"]) == ("feedback_given", 5)
    tie = prompts.set_index("event_id").loc[cases.duplicate_tie_prompt]
    assert tie["user_key"] == "adv_tie_winner"
    turn = _turns(main_build).loc[cases.duplicate_prompt]
    assert turn["conversation_id"] == "adv_dup_new"
    assert turn["response_status"] == "success" and turn["latency_ms"] == 1234
    assert turn["rating_count"] == 1 and turn["avg_rating"] == 5 and turn["regenerations"] == 0
    conversations = set(main_build.marts["fct_ai_conversations"]["conversation_id"])
    assert "adv_dup_new" in conversations and "adv_dup_old" not in conversations
    users = set(main_build.marts["ai_engagement_by_user"]["user_key"])
    assert "adv_dup_new_user" in users and "adv_dup_old_user" not in users
    assert "adv_tie_loser" not in users


def test_events_far_in_the_past_and_future(main_build: Built) -> None:
    cases = main_build.cases
    assert cases is not None
    days = set(pd.to_datetime(main_build.marts["ai_engagement_daily"]["date_day"]))
    assert {cases.past_day, cases.future_day} <= days
    cost_days = set(pd.to_datetime(main_build.marts["ai_cost_daily"]["date_day"]))
    assert {cases.past_day, cases.future_day} <= cost_days
    users = main_build.marts["ai_engagement_by_user"].set_index("user_key")
    assert users.loc["adv_past", "prompts"] == 1 and users.loc["adv_future", "prompts"] == 1


def test_one_user_with_many_prompts(main_build: Built) -> None:
    cases = main_build.cases
    assert cases is not None
    users = main_build.marts["ai_engagement_by_user"].set_index("user_key")
    assert users.loc[cases.heavy_user, "prompts"] == HEAVY_PROMPTS
    conversations = main_build.marts["fct_ai_conversations"].set_index("conversation_id")
    assert conversations.loc["adv_heavy_one", "prompts"] == HEAVY_ONE_CONVERSATION
    heavy = conversations[conversations.index.str.match(r"adv_heavy_\d{4}$")]
    assert len(heavy) == HEAVY_CONVERSATIONS
    assert (heavy["prompts"] == HEAVY_PER_CONVERSATION).all()
    turns = main_build.marts["fct_ai_prompt_turns"]
    mine = turns[turns["user_key"] == cases.heavy_user]
    assert len(mine) == HEAVY_PROMPTS
    assert mine["responses"].sum() == HEAVY_PROMPTS // 100


def test_odd_enums_latency_and_word_feedback(main_build: Built) -> None:
    cases = main_build.cases
    assert cases is not None
    responses = _staged(main_build.database, "stg_rudderstack__llm_responses")
    mine = responses[responses["conversation_id"] == cases.odd_enum_conversation]
    assert set(mine["response_status"].dropna()) >= {"success", "timeout", "error", "weird_status"}
    assert "" not in set(mine["response_status"].dropna())
    assert {-500, HUGE_LATENCY} <= set(mine["latency_ms"].dropna().astype("int64"))
    actions = _staged(main_build.database, "stg_rudderstack__user_actions").set_index("event_id")
    great = actions.loc[cases.great_action]
    assert great["feedback_value"] == "great"
    assert pd.isna(great["rating_value"]) and pd.isna(great["is_thumbs_up"])
    conversation = (
        main_build.marts["fct_ai_conversations"]
        .set_index("conversation_id")
        .loc[cases.odd_enum_conversation]
    )
    assert conversation["prompts"] == 7


def test_every_quarantine_reason_is_counted(main_build: Built) -> None:
    # The counts themselves equal the oracle's (ai_quarantine_daily is one of
    # the marts compared above); here: each reason really occurs.
    quarantine = main_build.marts["ai_quarantine_daily"]
    found = set(zip(quarantine["table_name"], quarantine["reason"], strict=True))
    for table in EVENT_TABLES:
        for reason in ("missing_id", "missing_event_time", "event_time_in_future"):
            assert (table, reason) in found
        assert (table, "event_time_before_floor") in found  # the 2001 turn
    assert {
        (PROMPTS, "missing_conversation_id"),
        (RESPONSES, "negative_latency"),
        (RESPONSES, "unknown_status"),
        (ACTIONS, "unknown_action_type"),
        (ACTIONS, "unparsable_feedback_value"),
    } <= found
    assert {reason for table, reason in found if reason == "missing_user"}
    excluded = quarantine.set_index(["table_name", "reason"])["excluded_rows"]
    assert (excluded.xs("missing_id", level="reason") > 0).all()
    assert excluded.drop("missing_id", level="reason").sum() == 0
