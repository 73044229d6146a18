"""The warehouse-loader emulation: hand-built messages, then the recorded SDK fixture.

Hand-built cases pin one rule of RudderStack's warehouse schema each (the rules are listed
in ai_analytics/warehouse_loader.py). The fixture tests load what the real RudderStack AI
SDK sent (tests/fixtures/sdk_v0_3/) and check the tables against counts taken straight
from the JSONL.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ai_analytics.warehouse_loader import column_name, load_jsonl, load_messages, table_name

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "sdk_v0_3" / "messages.jsonl"
RECEIVED = "2025-06-02T09:30:00.250Z"
_ids = iter(range(1, 1_000_000))


def track(event: str, properties: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A track message as the data plane records it (the Python SDK's shape)."""
    message: dict[str, Any] = {
        "type": "track",
        "event": event,
        "messageId": f"msg-{next(_ids):04d}",
        "userId": "usr_1",
        "anonymousId": None,
        "properties": properties or {},
        "context": {"library": {"name": "analytics-python", "version": "2.1.9"}},
        "integrations": {"All": True},
        "channel": "server",
        "timestamp": "2025-06-02T09:29:59.100000+00:00",
        "sentAt": "2025-06-02T09:30:00.200000+00:00",
        "receivedAt": RECEIVED,
    }
    message.update(fields)
    return message


def load(
    tmp_path: Path, messages: list[dict[str, Any]], **kwargs: Any
) -> duckdb.DuckDBPyConnection:
    database = tmp_path / "warehouse.duckdb"
    load_messages(messages, database, **kwargs)
    return duckdb.connect(str(database), read_only=True)


def columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'rudderstack' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


def rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    return con.execute(sql, params).fetchall()


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("ai_user_prompt_created", "ai_user_prompt_created"),
        ("Support Ticket Created", "support_ticket_created"),
        ("AI Response Received!", "ai_response_received"),
        ("checkout.stepViewed", "checkout_step_viewed"),
        ("2FA Enabled", "_2fa_enabled"),
        ("tracks", "_tracks"),
        ("Order", "_order"),
    ],
)
def test_event_names_become_table_names(event: str, expected: str) -> None:
    assert table_name(event) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("tokenCount_promptTokens", "token_count_prompt_tokens"),
        ("context_wrapperLibrary_specVersion", "context_wrapper_library_spec_version"),
        ("HTTPStatus", "http_status"),
        ("already_snake", "already_snake"),
        ("with spaces-and.dots", "with_spaces_and_dots"),
        ("3d_model", "_3d_model"),
        ("userID", "user_id"),
        ("v2Model", "v2_model"),
    ],
)
def test_keys_are_snake_cased(key: str, expected: str) -> None:
    assert column_name(key) == expected


# --------------------------------------------------------------------------- columns and types


def test_nested_objects_are_flattened_and_snake_cased(tmp_path: Path) -> None:
    message = track(
        "AI LLM Response Received",
        {"tokenCount": {"promptTokens": 12, "completion_tokens": 3}, "modelName": "m"},
        context={
            "library": {"name": "analytics-python", "version": "2.1.9"},
            "wrapperLibrary": {"name": "rudderstack-ai", "specVersion": "0.3.0"},
            "sessionId": 1748856000000,
        },
    )
    con = load(tmp_path, [message])
    cols = columns(con, "ai_llm_response_received")
    assert cols["token_count_prompt_tokens"] == "BIGINT"
    assert cols["token_count_completion_tokens"] == "BIGINT"
    assert cols["model_name"] == "VARCHAR"
    assert cols["context_wrapper_library_spec_version"] == "VARCHAR"
    assert cols["context_session_id"] == "BIGINT"
    assert rows(
        con,
        "select event, event_text, token_count_prompt_tokens, context_library_name, "
        "context_wrapper_library_spec_version from rudderstack.ai_llm_response_received",
    ) == [("ai_llm_response_received", "AI LLM Response Received", 12, "analytics-python", "0.3.0")]


def test_tracks_holds_every_track_message_without_properties(tmp_path: Path) -> None:
    messages = [
        track("ai_user_prompt_created", {"conversation_id": "c1"}),
        track("ai_user_action", {"action_type": "copied_response"}),
        {"type": "identify", "userId": "usr_1", "traits": {}, "receivedAt": RECEIVED},
    ]
    database = tmp_path / "warehouse.duckdb"
    counts = load_messages(messages, database)
    assert counts == {"tracks": 2, "ai_user_prompt_created": 1, "ai_user_action": 1}
    con = duckdb.connect(str(database), read_only=True)
    tracks = columns(con, "tracks")
    assert "conversation_id" not in tracks and "action_type" not in tracks
    assert {"id", "event", "event_text", "context_library_name", "uuid_ts"} <= set(tracks)
    assert sorted(rows(con, "select event from rudderstack.tracks")) == [
        ("ai_user_action",),
        ("ai_user_prompt_created",),
    ]


def test_types_come_from_the_first_value(tmp_path: Path) -> None:
    message = track(
        "typed",
        {
            "whole": 3,
            "whole_float": 2.0,
            "fraction": 0.25,
            "flag": False,
            "when": "2025-06-01T08:00:00Z",
            "day": "2025-06-01",
            "label": "hello",
        },
    )
    con = load(tmp_path, [message])
    cols = columns(con, "typed")
    assert cols["whole"] == "BIGINT"
    assert cols["whole_float"] == "BIGINT"  # 2.0 is a whole number
    assert cols["fraction"] == "DOUBLE"
    assert cols["flag"] == "BOOLEAN"
    assert cols["when"] == "TIMESTAMP WITH TIME ZONE"
    assert cols["day"] == "TIMESTAMP WITH TIME ZONE"
    assert cols["label"] == "VARCHAR"
    for standard in ("timestamp", "original_timestamp", "sent_at", "received_at", "uuid_ts"):
        assert cols[standard] == "TIMESTAMP WITH TIME ZONE"
    (when,) = rows(con, 'select epoch_ms("when") from rudderstack.typed')[0]
    assert when == int(datetime(2025, 6, 1, 8, tzinfo=UTC).timestamp() * 1000)


def test_thumbs_after_a_rating_goes_to_rudder_discards(tmp_path: Path) -> None:
    rating = track(
        "ai_user_action",
        {
            "action_type": "feedback_given",
            "action_details": {"feedback_type": "rating", "feedback_value": 4},
        },
    )
    thumbs = track(
        "ai_user_action",
        {
            "action_type": "feedback_given",
            "action_details": {"feedback_type": "thumbs", "feedback_value": True},
        },
        receivedAt="2025-06-02T09:31:00.000Z",
    )
    con = load(tmp_path, [rating, thumbs])
    assert columns(con, "ai_user_action")["action_details_feedback_value"] == "BIGINT"
    assert rows(
        con,
        "select id, action_details_feedback_type, action_details_feedback_value "
        "from rudderstack.ai_user_action order by received_at",
    ) == [(rating["messageId"], "rating", 4), (thumbs["messageId"], "thumbs", None)]
    assert rows(
        con,
        "select table_name, row_id, column_name, column_value, reason, "
        "epoch_ms(received_at), epoch_ms(uuid_ts) from rudderstack.rudder_discards",
    ) == [
        (
            "ai_user_action",
            thumbs["messageId"],
            "action_details_feedback_value",
            "true",
            "incompatible schema conversion from int to boolean",
            1748856660000,
            1748856661000,
        )
    ]


def test_convertible_values_are_converted(tmp_path: Path) -> None:
    first = track("costs", {"cost": 0, "latency": 1.5, "label": "x", "count": 7})
    later = track("costs", {"cost": 0.75, "latency": 2, "label": 42, "count": 8.9})
    database = tmp_path / "warehouse.duckdb"
    counts = load_messages([first, later], database)
    assert "rudder_discards" not in counts
    con = duckdb.connect(str(database), read_only=True)
    cols = columns(con, "costs")
    assert (cols["cost"], cols["latency"], cols["label"], cols["count"]) == (
        "BIGINT",
        "DOUBLE",
        "VARCHAR",
        "BIGINT",
    )
    assert rows(con, "select cost, latency, label, count from rudderstack.costs order by id") == [
        (0, 1.5, "x", 7),
        (0, 2.0, "42", 8),  # int <- float truncated; float <- int; string <- anything
    ]


def test_other_mismatches_are_discarded_with_their_reason(tmp_path: Path) -> None:
    first = track("mixed", {"when": "2025-06-01T00:00:00Z", "flag": True, "n": 1})
    later = track("mixed", {"when": "soon", "flag": "yes", "n": "many"})
    con = load(tmp_path, [first, later])
    assert sorted(
        rows(con, "select column_name, column_value, reason from rudderstack.rudder_discards")
    ) == [
        ("flag", "yes", "incompatible schema conversion from boolean to string"),
        ("n", "many", "incompatible schema conversion from int to string"),
        ("when", "soon", "incompatible schema conversion from datetime to string"),
    ]


def test_arrays_are_stored_as_json_text(tmp_path: Path) -> None:
    message = track(
        "ai_user_prompt_created",
        {
            "attachment_types": ["pdf", "image"],
            "matrix": [[1, 2], [3]],
            "usage_breakdown": [{"model": "gpt-4.1-mini", "cost_usd": 0.0001, "call_count": 2}],
        },
    )
    con = load(tmp_path, [message])
    cols = columns(con, "ai_user_prompt_created")
    assert cols["attachment_types"] == cols["usage_breakdown"] == cols["matrix"] == "VARCHAR"
    attachment_types, matrix, breakdown = rows(
        con,
        "select attachment_types, matrix, usage_breakdown from rudderstack.ai_user_prompt_created",
    )[0]
    assert attachment_types == '["pdf","image"]'
    assert matrix == "[[1,2],[3]]"
    assert json.loads(breakdown) == [{"model": "gpt-4.1-mini", "cost_usd": 0.0001, "call_count": 2}]


def test_reserved_property_names_are_dropped(tmp_path: Path) -> None:
    message = track(
        "ai_user_action",
        {"id": "not-the-id", "timestamp": "yesterday", "event": "other", "uuid_ts": 1, "kept": 1},
    )
    con = load(tmp_path, [message])
    assert rows(con, "select id, event, kept from rudderstack.ai_user_action") == [
        (message["messageId"], "ai_user_action", 1)
    ]
    assert "rudder_discards" not in {
        t for (t,) in rows(con, "select table_name from information_schema.tables")
    }


def test_empty_values_are_skipped_until_a_value_arrives(tmp_path: Path) -> None:
    empty = track("ai_response_received", {"error_type": None, "intent": "", "tools": [], "ok": 1})
    later = track("ai_response_received", {"error_type": "timeout", "ok": 2})
    first_db = tmp_path / "first"
    first_db.mkdir()
    con = load(first_db, [empty])
    assert {"error_type", "intent", "tools"}.isdisjoint(columns(con, "ai_response_received"))
    con.close()
    con = load(tmp_path, [empty, later])
    cols = columns(con, "ai_response_received")
    assert cols["error_type"] == "VARCHAR" and "intent" not in cols and "tools" not in cols
    assert rows(con, "select ok, error_type from rudderstack.ai_response_received order by ok") == [
        (1, None),
        (2, "timeout"),
    ]


def test_timestamp_is_skew_corrected_when_the_payload_has_none(tmp_path: Path) -> None:
    skewed = track(
        "skewed",
        timestamp=None,
        originalTimestamp="2025-06-02T10:00:00.000Z",  # the device's clock
        sentAt="2025-06-02T10:00:05.000Z",  # the device's clock, 5 s later
        receivedAt="2025-06-02T12:00:10.000Z",  # the server's clock
    )
    kept = track(
        "skewed", timestamp="2025-06-02T09:00:00.123456Z", receivedAt="2025-06-02T12:00:10Z"
    )
    con = load(tmp_path, [skewed, kept])
    got = dict(
        rows(
            con,
            "select id, strftime(timestamp at time zone 'UTC', '%H:%M:%S.%g') "
            "from rudderstack.skewed",
        )
    )
    assert (
        got[skewed["messageId"]] == "12:00:05.000"
    )  # received_at - (sent_at - original_timestamp)
    assert got[kept["messageId"]] == "09:00:00.123"  # kept, cut to milliseconds
    (original,) = rows(
        con,
        "select epoch_ms(original_timestamp) from rudderstack.skewed where id = ?",
        [kept["messageId"]],
    )[0]
    assert original == int(datetime(2025, 6, 2, 12, 0, 10, tzinfo=UTC).timestamp() * 1000)


def test_uuid_ts_is_deterministic(tmp_path: Path) -> None:
    message = track("loaded")
    con = load(tmp_path, [message])
    (received, loaded), *_ = rows(
        con, "select epoch_ms(received_at), epoch_ms(uuid_ts) from rudderstack.loaded"
    )
    assert loaded - received == 1000
    con.close()
    fixed = datetime(2025, 7, 1, tzinfo=UTC)
    other = tmp_path / "other"
    other.mkdir()
    con = load(other, [message], loaded_at=fixed)
    assert rows(con, "select uuid_ts from rudderstack.loaded")[0][0] == fixed


def test_a_second_load_keeps_the_columns_it_found(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    load_messages([track("ai_user_action", {"action_details": {"feedback_value": 5}})], database)
    counts = load_messages(
        [track("ai_user_action", {"action_details": {"feedback_value": False}, "new_column": "x"})],
        database,
        loaded_at=datetime(2025, 7, 1, tzinfo=UTC) + timedelta(hours=1),
    )
    assert counts == {"rudder_discards": 1, "tracks": 1, "ai_user_action": 1}
    con = duckdb.connect(str(database), read_only=True)
    assert columns(con, "ai_user_action")["action_details_feedback_value"] == "BIGINT"
    assert rows(con, "select count(*) from rudderstack.ai_user_action")[0][0] == 2
    assert rows(
        con, "select new_column from rudderstack.ai_user_action where new_column is not null"
    ) == [("x",)]
    assert rows(con, "select column_value, reason from rudderstack.rudder_discards") == [
        ("false", "incompatible schema conversion from int to boolean")
    ]


def test_a_message_without_received_at_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="receivedAt"):
        load_messages([track("x", receivedAt=None)], tmp_path / "warehouse.duckdb")


# ------------------------------------------------------------------------- the recorded SDK fixture


@pytest.fixture(scope="module")
def recorded() -> list[dict[str, Any]]:
    with FIXTURE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    database = tmp_path_factory.mktemp("sdk_fixture") / "warehouse.duckdb"
    return database, load_jsonl(FIXTURE, database)


def test_fixture_tables_match_the_messages(
    recorded: list[dict[str, Any]], fixture_db: tuple[Path, dict[str, int]]
) -> None:
    database, counts = fixture_db
    by_event = Counter(table_name(m["event"]) for m in recorded if m["type"] == "track")
    expected = {**by_event, "tracks": sum(by_event.values())}
    discards = counts.pop("rudder_discards", 0)
    assert counts == expected
    con = duckdb.connect(str(database), read_only=True)
    for table, n in expected.items():
        assert rows(con, f"select count(*) from rudderstack.{table}")[0][0] == n
    assert rows(con, "select count(*) from rudderstack.rudder_discards")[0][0] == discards
    for table in (
        "ai_user_prompt_created",
        "ai_response_received",
        "ai_llm_response_received",
        "ai_user_action",
        "ai_interaction_classified",
        "ai_interaction_scored",
    ):
        assert table in expected, f"the fixture has no {table}"


def test_fixture_thumbs_after_rating_lands_in_rudder_discards(
    recorded: list[dict[str, Any]], fixture_db: tuple[Path, dict[str, int]]
) -> None:
    database, _ = fixture_db
    feedback = [
        m
        for m in recorded
        if m["event"] == "ai_user_action"
        and "feedback_value" in (m["properties"].get("action_details") or {})
    ]
    first_value = feedback[0]["properties"]["action_details"]["feedback_value"]
    assert isinstance(first_value, int) and not isinstance(first_value, bool)  # a rating came first
    thumbs = {
        m["messageId"]: m["properties"]["action_details"]["feedback_value"]
        for m in feedback
        if isinstance(m["properties"]["action_details"]["feedback_value"], bool)
    }
    assert True in thumbs.values()
    con = duckdb.connect(str(database), read_only=True)
    assert columns(con, "ai_user_action")["action_details_feedback_value"] == "BIGINT"
    discarded = rows(
        con,
        "select row_id, column_value, reason from rudderstack.rudder_discards "
        "where table_name = 'ai_user_action' and column_name = 'action_details_feedback_value'",
    )
    assert {row_id: value for row_id, value, _ in discarded} == {
        message_id: "true" if value else "false" for message_id, value in thumbs.items()
    }
    assert {reason for *_, reason in discarded} == {
        "incompatible schema conversion from int to boolean"
    }
    nulls = rows(
        con,
        "select count(*) from rudderstack.ai_user_action "
        "where action_details_feedback_type = 'thumbs' and action_details_feedback_value is null",
    )[0][0]
    assert nulls == len(thumbs)


def test_fixture_v0_3_columns_land_typed(fixture_db: tuple[Path, dict[str, int]]) -> None:
    database, _ = fixture_db
    con = duckdb.connect(str(database), read_only=True)
    response = columns(con, "ai_response_received")
    for name in ("latency_ms", "llm_call_count", "total_tokens", "time_to_first_token_ms"):
        assert response[name] == "BIGINT"
    assert response["total_cost_usd"] == "DOUBLE"
    assert response["usage_breakdown"] == response["tool_breakdown"] == "VARCHAR"
    for (breakdown,) in rows(con, "select usage_breakdown from rudderstack.ai_response_received"):
        assert isinstance(json.loads(breakdown), list)
    assert rows(
        con, "select distinct context_wrapper_library_spec_version from rudderstack.tracks"
    ) == [("0.3.0",)]
    assert columns(con, "ai_interaction_scored")["score_value"] == "DOUBLE"
    assert columns(con, "ai_llm_response_received")["interaction_id"] == "VARCHAR"


def test_fixture_captured_text_is_masked(
    recorded: list[dict[str, Any]], fixture_db: tuple[Path, dict[str, int]]
) -> None:
    raw = FIXTURE.read_text(encoding="utf-8")
    assert "dana.whitfield@example.com" not in raw and "555 0134" not in raw
    database, _ = fixture_db
    con = duckdb.connect(str(database), read_only=True)
    (prompt,) = rows(
        con,
        "select prompt_text from rudderstack.ai_user_prompt_created where prompt_text is not null",
    )[0]
    assert "[email]" in prompt and "[phone]" in prompt
    texts = rows(
        con,
        "select distinct action_details_feedback_text from rudderstack.ai_user_action "
        "where action_details_feedback_text is not null",
    )
    assert texts and all("[email]" in text for (text,) in texts)


def test_fixture_loads_deterministically(tmp_path: Path) -> None:
    tables = []
    for run in ("a", "b"):
        database = tmp_path / f"{run}.duckdb"
        load_jsonl(FIXTURE, database)
        con = duckdb.connect(str(database), read_only=True)
        tables.append(
            {
                name: con.sql(f"select * from rudderstack.{name} order by all").fetchall()
                for (name,) in rows(
                    con, "select table_name from information_schema.tables order by 1"
                )
            }
        )
        con.close()
    assert tables[0] == tables[1]
