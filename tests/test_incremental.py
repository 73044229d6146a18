"""Incremental runs over the same events end with the same marts as one full build.

The raw events are split by load time (`uuid_ts`) into chunks that arrive run
after run, as a warehouse receives them: duplicates of earlier messages and
events that arrive days after their event time land in later runs.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ai_analytics.demo_data import generate, write_duckdb
from tests.conftest import EVENTS, Build
from tests.dbt_harness import MARTS, NO_SOURCE_FIXTURES, append_events, read_marts, run_dbt

RUNS = 3


def load_time_chunks(raw: dict[str, pd.DataFrame], runs: int) -> list[dict[str, pd.DataFrame]]:
    """The raw tables cut into `runs` consecutive load-time windows."""
    loads = pd.concat([frame["uuid_ts"] for frame in raw.values()])
    edges = loads.quantile([i / runs for i in range(1, runs)]).tolist()
    bounds = [loads.min() - pd.Timedelta(seconds=1), *edges, loads.max()]
    return [
        {
            name: frame[(frame["uuid_ts"] > bounds[i]) & (frame["uuid_ts"] <= bounds[i + 1])]
            for name, frame in raw.items()
        }
        for i in range(runs)
    ]


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def add_redeliveries(chunks: list[dict[str, pd.DataFrame]]) -> None:
    """Add to the last chunk copies of messages staged in the first: one set
    delivered again later (it must win), one stale copy whose received_at is
    older than the staged one although it loads later (it must not), and one
    later copy with other contents: moved to another conversation, another
    user and two days later (the days, conversations, users and sessions it
    leaves must be rebuilt too)."""
    last_load = max(frame["uuid_ts"].max() for frame in chunks[-1].values())
    for name in ("ai_user_prompt_created", "ai_llm_response_received", "ai_user_action"):
        first = chunks[0][name]
        again = first.iloc[::50].copy()
        again["received_at"] = last_load + pd.Timedelta(minutes=5)
        again["uuid_ts"] = last_load + pd.Timedelta(minutes=6)
        stale = first.iloc[25::50].copy()
        stale["received_at"] = stale["received_at"] - pd.Timedelta(hours=1)
        stale["uuid_ts"] = last_load + pd.Timedelta(minutes=7)
        if "latency_ms" in stale:
            stale["latency_ms"] = stale["latency_ms"] + 99_999
        moved = first.iloc[10::97].copy()
        moved["received_at"] = last_load + pd.Timedelta(minutes=8)
        moved["uuid_ts"] = last_load + pd.Timedelta(minutes=9)
        moved["timestamp"] = moved["timestamp"] + pd.Timedelta(days=2)
        moved["conversation_id"] = "moved-" + moved["conversation_id"].astype(str)
        moved["anonymous_id"] = "moved-" + moved["anonymous_id"].astype(str)
        moved["user_id"] = None
        chunks[-1][name] = pd.concat([chunks[-1][name], again, stale, moved], ignore_index=True)


@pytest.mark.parametrize("spec", ["v0.1", "mixed"])
def test_runs_over_growing_data_equal_one_full_build(
    first_build: Build, spec: str, tmp_path
) -> None:
    raw = first_build.raw if spec == "v0.1" else generate(events=EVENTS, seed=31, spec=spec)
    extra = () if spec == "v0.1" else NO_SOURCE_FIXTURES
    chunks = load_time_chunks(raw, RUNS)
    add_redeliveries(chunks)
    later = pd.concat([c["ai_llm_response_received"] for c in chunks[1:]])
    # Some events arrive more than a day after their event time.
    assert ((later["received_at"] - later["timestamp"]) > pd.Timedelta(days=1)).any()

    database = tmp_path / "incremental.duckdb"
    scoped_conversations = []
    for number, chunk in enumerate(chunks):
        if number == 0:
            write_duckdb(chunk, database)
        else:
            append_events(database, chunk)
        run_dbt(database, tmp_path, *extra)
        scoped_conversations.append(_scope_size(database, "conversation"))
    incremental = read_marts(database)
    # Later runs rebuilt some conversations, not all of them.
    conversations = len(incremental["fct_ai_conversations"])
    assert scoped_conversations[0] == 0
    assert all(0 < n < conversations for n in scoped_conversations[1:])

    full_database = tmp_path / "one_build.duckdb"
    everything = {
        name: pd.concat([c[name] for c in chunks], ignore_index=True) for name in chunks[0]
    }
    write_duckdb(everything, full_database)
    run_dbt(full_database, tmp_path / "one_build", "--full-refresh", *extra)
    full = read_marts(full_database)
    for mart in MARTS:
        pd.testing.assert_frame_equal(
            _comparable(incremental[mart]), _comparable(full[mart]), obj=mart
        )
    # The stale copies changed nothing: latency is as first delivered.
    assert full["ai_latency_by_intent"]["max_latency_ms"].max() < 99_999


def _scope_size(database, scope_type: str) -> int:
    """Rows of one type in the last run's scope."""
    with duckdb.connect(str(database)) as connection:
        return connection.execute(
            "select count(*) from main_ai_intermediate.int_incremental_scope_resolved "
            "where scope_type = ?",
            [scope_type],
        ).fetchall()[0][0]


def test_a_run_without_new_events_changes_nothing(first_build: Build) -> None:
    before = read_marts(first_build.database)
    run_dbt(first_build.database, first_build.work_dir)
    # The run found nothing to redo.
    assert _scope_size(first_build.database, "changed") == 0
    assert _scope_size(first_build.database, "conversation") == 0
    after = read_marts(first_build.database)
    for mart in MARTS:
        pd.testing.assert_frame_equal(_comparable(before[mart]), _comparable(after[mart]), obj=mart)


def test_changed_settings_rebuild_everything_past_staging(first_build: Build, tmp_path) -> None:
    """A var that rewrites history (here the event-time floor of the quarantine)
    changes the settings fingerprint in the ledger: the next incremental run
    rebuilds every model past staging, and ends where a --full-refresh with
    that var ends. (Built here, not copied: a copy of a database another dbt
    run in this process still holds open can miss its last writes.)"""
    settings = ("--vars", "{event_time_floor: '2026-10-10'}")
    database = tmp_path / "incremental.duckdb"
    write_duckdb(first_build.raw, database)
    run_dbt(database, tmp_path / "incremental")
    run_dbt(database, tmp_path / "incremental", *settings)
    incremental = read_marts(database)
    full_database = tmp_path / "refreshed.duckdb"
    write_duckdb(first_build.raw, full_database)
    run_dbt(full_database, tmp_path / "refreshed", "--full-refresh", *settings)
    full = read_marts(full_database)
    # The setting took effect on rows staged before it changed.
    reasons = incremental["ai_quarantine_daily"]["reason"]
    assert (reasons == "event_time_before_floor").any()
    assert not (
        first_build.marts["ai_quarantine_daily"]["reason"] == "event_time_before_floor"
    ).any()
    for mart in MARTS:
        pd.testing.assert_frame_equal(
            _comparable(incremental[mart]), _comparable(full[mart]), obj=mart
        )


def test_an_unchanged_redelivery_rebuilds_nothing_past_staging(
    first_build: Build, tmp_path
) -> None:
    """RudderStack delivers at least once: a message can load again with only
    its load times changed. Staging keeps the later copy (its received_at),
    but the models past staging counted the same values already, so the next
    run leaves them out of its scope; a later copy with a changed value is in
    scope. Either way the marts end where a full refresh ends."""
    raw = first_build.raw
    database = tmp_path / "redelivered.duckdb"
    write_duckdb(raw, database)
    run_dbt(database, tmp_path, command="seed")
    run_dbt(database, tmp_path, command="run")

    last_load = max(frame["uuid_ts"].max() for frame in raw.values() if "uuid_ts" in frame)

    def delivered_once(name: str) -> pd.DataFrame:
        frame = raw[name]
        return frame[frame["id"].notna() & ~frame["id"].duplicated(keep=False)]

    def later(rows: pd.DataFrame, minutes: int) -> pd.DataFrame:
        rows = rows.copy()
        rows["received_at"] = last_load + pd.Timedelta(minutes=minutes)
        rows["uuid_ts"] = last_load + pd.Timedelta(minutes=minutes + 1)
        return rows

    unchanged = {
        name: later(delivered_once(name).iloc[::40], 5)
        for name in ("ai_user_prompt_created", "ai_llm_response_received", "ai_user_action")
    }
    responses = delivered_once("ai_llm_response_received")
    changed = responses[responses["conversation_id"].notna() & responses["latency_ms"].notna()]
    changed = later(
        changed[~changed["id"].isin(unchanged["ai_llm_response_received"]["id"])].head(1), 9
    )
    changed["latency_ms"] = changed["latency_ms"] + 1234
    append_events(
        database,
        {
            **unchanged,
            "ai_llm_response_received": pd.concat(
                [unchanged["ai_llm_response_received"], changed], ignore_index=True
            ),
        },
    )
    run_dbt(database, tmp_path, command="run")

    with duckdb.connect(str(database)) as connection:
        for name, staging in (
            ("ai_user_prompt_created", "stg_rudderstack__prompts"),
            ("ai_llm_response_received", "stg_rudderstack__llm_responses"),
            ("ai_user_action", "stg_rudderstack__user_actions"),
        ):
            flagged = connection.execute(
                f"select event_id from main_ai_staging.{staging} "
                "where is_unchanged_redelivery and received_at > ?",
                [last_load],
            ).fetchall()
            assert sorted(row[0] for row in flagged) == sorted(unchanged[name]["id"]), staging
        [[changed_flag]] = connection.execute(
            "select is_unchanged_redelivery from main_ai_staging.stg_rudderstack__llm_responses "
            "where event_id = ?",
            [changed["id"].iloc[0]],
        ).fetchall()
        scoped = connection.execute(
            "select scope_key from main_ai_intermediate.int_incremental_scope "
            "where scope_type = 'conversation'"
        ).fetchall()
    assert changed_flag is False
    assert [row[0] for row in scoped] == [changed["conversation_id"].iloc[0]]
    incremental = read_marts(database)

    run_dbt(database, tmp_path, "--full-refresh", command="run")
    full = read_marts(database)
    for mart in MARTS:
        pd.testing.assert_frame_equal(
            _comparable(incremental[mart]), _comparable(full[mart]), obj=mart
        )
