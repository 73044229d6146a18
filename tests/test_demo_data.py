"""Fast checks of the demo-data generator, on a few thousand events.

The column contract is read from docs/raw_tables.md itself, so the generator
is checked against the documentation rather than against its own constants.
Spec v0.1 (the default) is checked first, then spec v0.3 and the mixed spec.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ai_analytics.cli import main
from ai_analytics.demo_data import (
    ACTION_TABLE,
    CLASSIFIED_TABLE,
    DISCARDS_TABLE,
    INTERACTION_TABLE,
    MODEL_PRICES_PER_1M,
    PROMPT_TABLE,
    RESPONSE_TABLE,
    SCORED_TABLE,
    Quirks,
    generate,
    write_duckdb,
    write_parquet,
)
from ai_analytics.demo_texts import INTENTS, luhn_valid

ROOT = Path(__file__).resolve().parents[1]
EVENTS = 5_000
SEED = 11
EVENT_TABLES = (PROMPT_TABLE, RESPONSE_TABLE, ACTION_TABLE)
DISCARDS_COLUMNS = (
    "table_name",
    "row_id",
    "column_name",
    "column_value",
    "received_at",
    "uuid_ts",
    "reason",
)
DUCKDB_TYPES = {
    "varchar": "VARCHAR",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamptz": "TIMESTAMP WITH TIME ZONE",
}


def _documented_columns() -> dict[str, dict[str, str]]:
    """Columns and types per table, as docs/raw_tables.md lists them."""
    sections = re.split(r"^## ", (ROOT / "docs" / "raw_tables.md").read_text(), flags=re.M)[1:]
    found: dict[str, dict[str, str]] = {}
    for section in sections:
        title, body = section.split("\n", 1)
        columns: dict[str, str] = {}
        for line in body.splitlines():
            row = re.match(r"\|\s*(`.+?)\s*\|\s*([a-z]+)", line)
            if row:
                columns.update(dict.fromkeys(re.findall(r"`([^`]+)`", row.group(1)), row.group(2)))
        name = re.match(r"`(\w+)`", title)
        found[name.group(1) if name else title.strip()] = columns
    standard = found["Standard columns (every event table)"]
    contract = {table: {**standard, **found[table]} for table in EVENT_TABLES}
    discards_doc = sections[[s.startswith("`rudder_discards`") for s in sections].index(True)]
    assert all(f"`{col}`" in discards_doc for col in DISCARDS_COLUMNS)
    contract[DISCARDS_TABLE] = {
        col: "timestamptz" if col in ("received_at", "uuid_ts") else "varchar"
        for col in DISCARDS_COLUMNS
    }
    return contract


CONTRACT = _documented_columns()


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """One small data set shared by the read-only tests."""
    return generate(events=EVENTS, seed=SEED)


def _norm(values: pd.Series) -> pd.Series:
    """lower(trim()) as staging applies it to enum-like values."""
    return values.str.strip().str.lower()


def _latest_copy(frame: pd.DataFrame) -> pd.DataFrame:
    """Staging's dedup: one row per id, the latest received_at."""
    return frame.sort_values(["received_at", "uuid_ts"]).drop_duplicates("id", keep="last")


def _has_dtype(values: pd.Series, kind: str) -> bool:
    """Whether a column has the pandas dtype the contract maps `kind` to."""
    if kind == "varchar":
        plain = pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
        return plain and values.dropna().map(type).eq(str).all()
    if kind == "timestamptz":
        return isinstance(values.dtype, pd.DatetimeTZDtype) and str(values.dtype.tz) == "UTC"
    return str(values.dtype) == {"bigint": "Int64", "double": "float64", "boolean": "boolean"}[kind]


def test_contract_parsed_from_docs() -> None:
    assert len(CONTRACT[PROMPT_TABLE]) == 21
    assert CONTRACT[ACTION_TABLE]["action_details_feedback_value"] == "bigint"
    assert CONTRACT[RESPONSE_TABLE]["cost"] == "double"


def test_same_seed_gives_equal_tables(tables: dict[str, pd.DataFrame]) -> None:
    again = generate(events=EVENTS, seed=SEED)
    assert again.keys() == tables.keys()
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, again[name])


def test_other_seed_gives_other_tables(tables: dict[str, pd.DataFrame]) -> None:
    other = generate(events=EVENTS, seed=SEED + 1)
    for name in EVENT_TABLES:
        assert not other[name]["id"].isin(tables[name]["id"]).any()
        assert not other[name]["timestamp"].equals(tables[name]["timestamp"])


def test_parquet_bytes_repeat_for_a_seed(tmp_path: Path) -> None:
    write_parquet(generate(events=2_000, seed=3), tmp_path / "a")
    write_parquet(generate(events=2_000, seed=3), tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_columns_and_dtypes_follow_docs(tables: dict[str, pd.DataFrame], table: str) -> None:
    frame = tables[table]
    assert list(frame.columns) == list(CONTRACT[table])
    wrong = [col for col, kind in CONTRACT[table].items() if not _has_dtype(frame[col], kind)]
    assert wrong == []


def test_size_follows_events_argument(tables: dict[str, pd.DataFrame]) -> None:
    total = sum(len(tables[name]) for name in EVENT_TABLES)
    assert 0.9 * EVENTS <= total <= 1.1 * EVENTS


@pytest.mark.parametrize("table", EVENT_TABLES)
def test_duplicates_are_late_identical_copies(tables: dict[str, pd.DataFrame], table: str) -> None:
    frame = tables[table]
    copies = frame[frame["id"].duplicated(keep=False)].sort_values(["id", "uuid_ts"])
    rate = frame["id"].duplicated().mean()
    assert 0.005 <= rate <= 0.04
    load_columns = ["received_at", "uuid_ts"]
    content = copies.drop(columns=load_columns).astype(str)
    assert content.groupby(copies["id"]).nunique().max().max() == 1
    first, second = copies.groupby("id").nth(0), copies.groupby("id").nth(1)
    assert (second["received_at"].to_numpy() > first["received_at"].to_numpy()).all()
    assert (second["uuid_ts"].to_numpy() > first["uuid_ts"].to_numpy()).all()


def test_quirks_can_be_switched_off() -> None:
    clean = generate(events=2_000, seed=SEED, quirks=Quirks(duplicate_rate=0, odd_casing_rate=0))
    responses = clean[RESPONSE_TABLE]
    assert responses["id"].is_unique
    assert responses["response_status"].isin(["success", "error", "timeout"]).all()


def test_enum_values_come_in_odd_spellings(tables: dict[str, pd.DataFrame]) -> None:
    status = tables[RESPONSE_TABLE]["response_status"]
    odd = (status != _norm(status)).mean()
    assert 0.05 <= odd <= 0.15
    assert set(_norm(status)) == {"success", "error", "timeout"}
    assert set(_norm(tables[ACTION_TABLE]["action_type"])) == {
        "feedback_given",
        "copied_response",
        "regenerated",
        "shared",
        "reported",
    }


def test_discards_point_to_actions_with_a_null_value(tables: dict[str, pd.DataFrame]) -> None:
    actions, discards = tables[ACTION_TABLE], tables[DISCARDS_TABLE]
    assert len(discards) > 0
    assert (discards["table_name"] == ACTION_TABLE).all()
    assert (discards["column_name"] == "action_details_feedback_value").all()
    joined = discards.merge(
        actions, left_on=["row_id", "uuid_ts"], right_on=["id", "uuid_ts"], how="left"
    )
    assert joined["id"].notna().all()
    assert joined["action_details_feedback_value"].isna().all()
    assert (_norm(joined["action_details_feedback_type"]) == "thumbs").all()
    assert (joined["received_at_x"] == joined["received_at_y"]).all()
    boolean = joined["column_value"].isin(["true", "false"])
    assert joined["column_value"].isin(["true", "false", "up", "down"]).all()
    assert joined.loc[boolean, "reason"].str.endswith("from int to boolean").all()
    assert joined.loc[~boolean, "reason"].str.endswith("from int to string").all()
    # Every loaded thumbs row (duplicates too) has its discards row.
    thumbs = _norm(actions["action_details_feedback_type"]) == "thumbs"
    assert thumbs.sum() == len(discards)


def test_first_loaded_feedback_value_is_a_rating(tables: dict[str, pd.DataFrame]) -> None:
    actions = tables[ACTION_TABLE]
    feedback = actions[actions["action_details_feedback_type"].notna()]
    first = feedback.sort_values("uuid_ts").iloc[0]
    assert _norm(pd.Series([first["action_details_feedback_type"]]))[0] == "rating"
    assert 1 <= first["action_details_feedback_value"] <= 5


def test_responses_follow_their_prompt() -> None:
    """Link as staging does; without lost prompts every response finds its own."""
    raw = generate(events=EVENTS, seed=SEED, quirks=Quirks(dropped_prompt_rate=0))
    prompts = _latest_copy(raw[PROMPT_TABLE])
    responses = _latest_copy(raw[RESPONSE_TABLE])
    linked = pd.merge_asof(
        responses.sort_values("timestamp"),
        prompts[["conversation_id", "timestamp", "id"]]
        .rename(columns={"id": "prompt_id"})
        .assign(prompt_at=lambda f: f["timestamp"])
        .sort_values("timestamp"),
        on="timestamp",
        by="conversation_id",
        direction="backward",
    )
    assert linked["prompt_id"].notna().all()
    per_prompt = linked.groupby("prompt_id").size()
    assert len(per_prompt) == len(prompts)
    assert set(per_prompt) <= {1, 2}
    first = linked.sort_values("timestamp").groupby("prompt_id").head(1)
    waited = (first["timestamp"] - first["prompt_at"]).dt.total_seconds() * 1000
    assert np.allclose(waited, first["latency_ms"].astype(float))


def test_timestamps_are_consistent(tables: dict[str, pd.DataFrame]) -> None:
    start = pd.Timestamp("2026-10-01", tz="UTC")
    for name in EVENT_TABLES:
        frame = tables[name]
        assert (frame["sent_at"] >= frame["original_timestamp"]).all()
        assert (frame["received_at"] > frame["sent_at"]).all()
        assert (frame["uuid_ts"] > frame["received_at"]).all()
        assert frame["timestamp"].min() >= start
        first_copy = frame[~frame["id"].duplicated()]
        corrected = first_copy["received_at"] - (
            first_copy["sent_at"] - first_copy["original_timestamp"]
        )
        assert (corrected == first_copy["timestamp"]).all()


def test_sessions_come_from_the_browser_only(tables: dict[str, pd.DataFrame]) -> None:
    responses = tables[RESPONSE_TABLE]
    assert responses["context_session_id"].isna().all()
    assert (responses["channel"] == "server").all()
    browser = pd.concat([tables[PROMPT_TABLE], tables[ACTION_TABLE]])
    assert browser["context_session_id"].notna().all()
    assert (browser["channel"] == "web").all()
    assert set(browser["context_session_start"].dropna()) == {True}
    starts = _latest_copy(browser).groupby("context_session_id")["context_session_start"].sum()
    assert starts.max() == 1
    # Session ids are the session's start in epoch ms: never after its events.
    session_start = pd.to_datetime(
        browser["context_session_id"].astype("int64"), unit="ms", utc=True
    )
    assert (session_start <= browser["timestamp"]).all()


def test_costs_match_the_price_list(tables: dict[str, pd.DataFrame]) -> None:
    responses = tables[RESPONSE_TABLE]
    model = _norm(responses["model_used"])
    input_price = model.map({m: p[0] for m, p in MODEL_PRICES_PER_1M.items()})
    output_price = model.map({m: p[1] for m, p in MODEL_PRICES_PER_1M.items()})
    derived = (
        responses["token_count_prompt_tokens"].astype(float) * input_price
        + responses["token_count_completion_tokens"].astype(float) * output_price
    ) / 1e6
    both = responses["cost"].notna() & derived.notna()
    assert both.sum() > 0
    assert np.allclose(responses.loc[both, "cost"], derived[both], rtol=0, atol=1e-12)
    derivable = responses["cost"].isna() & derived.notna()
    assert derivable.sum() > 0


def test_prompts_carry_some_personal_data(tables: dict[str, pd.DataFrame]) -> None:
    text = tables[PROMPT_TABLE]["prompt_text"]
    emails = text.str.contains(r"@(?:mail\.)?example\.(?:com|org|net)")
    phones = text.str.contains(r"555[- ]0\d{3}|7946 0\d{3}")
    cards = text.str.extract(r"((?:\d[ -]?){13,16}\d)")[0].dropna()
    assert 0.05 <= (emails | phones | text.index.isin(cards.index)).mean() <= 0.15
    assert len(cards) > 0
    assert all(luhn_valid(card) for card in cards)


def test_write_duckdb_lands_declared_types(tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    path = tmp_path / "raw.duckdb"
    seen: list[tuple[str, int]] = []
    write_duckdb(tables, path, schema="rudderstack")
    write_duckdb(tables, path, schema="rudderstack", on_table=lambda n, r: seen.append((n, r)))
    assert seen == [(name, len(frame)) for name, frame in tables.items()]
    with duckdb.connect(str(path), read_only=True) as con:
        for name, columns in CONTRACT.items():
            described = con.sql(f"describe rudderstack.{name}").fetchall()
            assert [(row[0], row[1]) for row in described] == [
                (col, DUCKDB_TYPES[kind]) for col, kind in columns.items()
            ]
            ((rows,),) = con.sql(f"select count(*) from rudderstack.{name}").fetchall()
            assert rows == len(tables[name])
        ((null_costs,),) = con.sql(
            f"select count(*) from rudderstack.{RESPONSE_TABLE} where cost is null"
        ).fetchall()
    assert null_costs == tables[RESPONSE_TABLE]["cost"].isna().sum()


def test_parquet_round_trip(tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    write_parquet(tables, tmp_path, rows_per_group=700)
    for name, frame in tables.items():
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert list(back.columns) == list(frame.columns)
        for col, kind in CONTRACT[name].items():
            if kind == "varchar":
                assert back[col].isna().equals(frame[col].isna())
                assert back[col].dropna().astype(str).tolist() == frame[col].dropna().tolist()
            else:
                pd.testing.assert_series_equal(back[col], frame[col], check_dtype=False)


def test_cli_writes_duckdb_and_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "demo.duckdb"
    assert main(["demo-data", "--events", "1500", "--out", str(database), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("wrote ") == 4
    assert "rudder_discards" in out.splitlines()[-1]
    with duckdb.connect(str(database), read_only=True) as con:
        schemas = {row[0] for row in con.sql("select schema_name from duckdb_schemas()").fetchall()}
    assert "rudderstack" in schemas
    assert main(["demo-data", "--events", "1500", "--out", str(tmp_path / "pq")]) == 0
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == sorted(
        f"{name}.parquet" for name in CONTRACT
    )


def test_cli_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["demo-data", "--events", "0"], ["demo-data", "--start-date", "10/01/2026"]):
        with pytest.raises(SystemExit):
            main(argv)
    assert "usage" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# Spec v0.1 stays as it was
# ---------------------------------------------------------------------------

# SHA-256 of the v0.1 tables of generate(events=5000, seed=11) as DuckDB holds
# them after write_duckdb, computed with the generator as it was before spec
# v0.3 was added. A regression guard only: it changes with the pinned
# numpy/pandas/duckdb versions, and v0.1 output must not change otherwise.
V01_DUCKDB_SHA256 = "8e52f2f19a8ab6feaadbf79ccb079c11a97156aa12821e36b25590cd44bab7cd"


def _duckdb_sha256(tables: dict[str, pd.DataFrame], path: Path) -> str:
    """Hash of each table's DuckDB types and rows (as text, sorted), in table order."""
    write_duckdb(tables, path)
    digest = hashlib.sha256()
    with duckdb.connect(str(path)) as con:
        con.execute("set TimeZone='UTC'")
        for name in tables:
            digest.update(name.encode())
            digest.update(repr(con.sql(f"describe rudderstack.{name}").fetchall()).encode())
            rows = con.sql(f"select * from rudderstack.{name}").fetchall()
            digest.update("\n".join(sorted("\t".join(map(str, row)) for row in rows)).encode())
    return digest.hexdigest()


def test_v01_output_is_unchanged(tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    assert _duckdb_sha256(tables, tmp_path / "v01.duckdb") == V01_DUCKDB_SHA256
    explicit = generate(events=EVENTS, seed=SEED, spec="v0.1")
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, explicit[name])


def test_unknown_spec_is_rejected() -> None:
    with pytest.raises(ValueError, match="spec"):
        generate(events=100, spec="v0.2")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Spec v0.3 and mixed
# ---------------------------------------------------------------------------

V03_TABLES = (
    PROMPT_TABLE,
    INTERACTION_TABLE,
    RESPONSE_TABLE,
    ACTION_TABLE,
    CLASSIFIED_TABLE,
    SCORED_TABLE,
)
SPEC_VERSION = "context_wrapper_library_spec_version"


def _documented_sections(text: str, heading: str) -> dict[str, dict[str, str]]:
    """Columns and types of each section of `text` under a `heading` (e.g. "### ")."""
    found: dict[str, dict[str, str]] = {}
    for part in re.split(f"^{heading}", text, flags=re.M)[1:]:
        title, body = part.split("\n", 1)
        columns: dict[str, str] = {}
        for line in body.splitlines():
            row = re.match(r"\|\s*(`.+?)\s*\|\s*([a-z]+)", line)
            if row:
                columns.update(dict.fromkeys(re.findall(r"`([^`]+)`", row.group(1)), row.group(2)))
        name = re.match(r"`(\w+)`", title)
        found[name.group(1) if name else title.strip()] = columns
    return found


RAW_TABLES_DOC = (ROOT / "docs" / "raw_tables.md").read_text()
STANDARD_V01 = _documented_sections(RAW_TABLES_DOC, "## ")["Standard columns (every event table)"]
V03_SECTIONS = _documented_sections(RAW_TABLES_DOC.split("\n## Spec v0.3", 1)[1], "### ")
STANDARD_V03 = V03_SECTIONS["Standard columns (v0.3)"]
CONTRACT_V03 = {table: {**STANDARD_V03, **V03_SECTIONS[table]} for table in V03_TABLES}


@pytest.fixture(scope="module")
def v03() -> dict[str, pd.DataFrame]:
    """One small v0.3 data set shared by the read-only tests."""
    return generate(events=EVENTS, seed=SEED, spec="v0.3")


@pytest.fixture(scope="module")
def mixed() -> dict[str, pd.DataFrame]:
    """One small mixed data set shared by the read-only tests."""
    return generate(events=EVENTS, seed=SEED, spec="mixed")


def _deduplicated(frame: pd.DataFrame) -> pd.DataFrame:
    return _latest_copy(frame).reset_index(drop=True)


def _json(values: pd.Series) -> pd.Series:
    return values.dropna().astype(object).map(json.loads)


@pytest.mark.parametrize("spec", ["v0.3", "mixed"])
def test_v03_same_seed_gives_equal_tables(spec: str) -> None:
    first = generate(events=EVENTS, seed=SEED, spec=spec)  # type: ignore[arg-type]
    again = generate(events=EVENTS, seed=SEED, spec=spec)  # type: ignore[arg-type]
    assert list(first) == list(again)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, again[name])
    other = generate(events=EVENTS, seed=SEED + 1, spec=spec)  # type: ignore[arg-type]
    assert not other[INTERACTION_TABLE]["id"].isin(first[INTERACTION_TABLE]["id"]).any()


def test_v03_tables(v03: dict[str, pd.DataFrame]) -> None:
    assert list(v03) == [*V03_TABLES, DISCARDS_TABLE]
    total = sum(len(v03[name]) for name in V03_TABLES)
    assert 0.9 * EVENTS <= total <= 1.1 * EVENTS


@pytest.mark.parametrize("table", V03_TABLES)
def test_v03_columns_and_dtypes_follow_docs(v03: dict[str, pd.DataFrame], table: str) -> None:
    frame, documented = v03[table], CONTRACT_V03[table]
    assert list(frame.columns) == list(documented)  # every column occurs at this size
    wrong = [col for col, kind in documented.items() if not _has_dtype(frame[col], kind)]
    assert wrong == []


def test_v03_lands_declared_duckdb_types(v03: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    path = tmp_path / "v03.duckdb"
    write_duckdb(v03, path)
    with duckdb.connect(str(path), read_only=True) as con:
        for table in V03_TABLES:
            described = con.sql(f"describe rudderstack.{table}").fetchall()
            assert [(row[0], row[1]) for row in described] == [
                (col, DUCKDB_TYPES[kind]) for col, kind in CONTRACT_V03[table].items()
            ]
            ((rows,),) = con.sql(f"select count(*) from rudderstack.{table}").fetchall()
            assert rows == len(v03[table])


def test_v03_parquet_round_trip(v03: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    write_parquet(v03, tmp_path, rows_per_group=700)
    for name, frame in v03.items():
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert list(back.columns) == list(frame.columns)
        for col in frame.columns:
            assert back[col].isna().equals(frame[col].isna()), col
            assert (
                back[col].dropna().astype(str).tolist() == frame[col].dropna().astype(str).tolist()
            )


def test_v03_rows_say_what_sent_them(v03: dict[str, pd.DataFrame]) -> None:
    for table in V03_TABLES:
        frame = v03[table]
        assert (frame[SPEC_VERSION] == "0.3.0").all()
        assert (frame["context_wrapper_library_name"] == "rudderstack-ai").all()
        assert (frame["context_wrapper_library_version"] == "0.6.0").all()
        assert (frame["context_library_name"] == "analytics-python").all()
        assert (frame["channel"] == "server").all()
        assert frame["interaction_id"].notna().all()
        assert frame["conversation_id"].notna().all()
        assert "prompt_text" not in frame and "response_text" not in frame  # capture off
    integration = v03[ACTION_TABLE]["context_wrapper_library_integration"]
    assert (integration == "manual").all()
    # Identity and session come from the browser's cookies, as on the JS events.
    prompts = v03[PROMPT_TABLE]
    assert prompts["context_session_id"].notna().all()
    assert prompts["user_id"].notna().mean() > 0.5


def test_v03_joins_on_interaction_id(v03: dict[str, pd.DataFrame]) -> None:
    prompts = _deduplicated(v03[PROMPT_TABLE])
    responses = _deduplicated(v03[INTERACTION_TABLE])
    assert responses["interaction_id"].is_unique  # one answer per interaction
    answered = prompts["interaction_id"].isin(responses["interaction_id"])
    assert answered.all()
    # Regenerated answers are interactions without a prompt event of their own.
    without_prompt = ~responses["interaction_id"].isin(prompts["interaction_id"])
    assert 0.02 <= without_prompt.mean() <= 0.10
    for table in (RESPONSE_TABLE, ACTION_TABLE, CLASSIFIED_TABLE, SCORED_TABLE):
        assert v03[table]["interaction_id"].isin(responses["interaction_id"]).all()
    merged = prompts.merge(responses, on="interaction_id", suffixes=("_p", "_r"))
    assert (merged["conversation_id_p"] == merged["conversation_id_r"]).all()
    assert (merged["timestamp_r"] >= merged["timestamp_p"]).all()


def test_v03_response_values(v03: dict[str, pd.DataFrame]) -> None:
    responses = _deduplicated(v03[INTERACTION_TABLE])
    status = responses["response_status"]
    assert set(status) == {"success", "error", "timeout", "incomplete", "cancelled", "paused"}
    failed = status != "success"
    assert (
        responses.loc[failed, "error_type"].notna().sum() == (failed & (status != "paused")).sum()
    )
    assert responses.loc[~failed, "error_type"].isna().all()
    assert (responses.loc[status == "incomplete", "error_type"] == "length").all()
    assert responses.loc[status == "paused", "pause_reason"].eq("approval").all()
    assert responses.loc[status == "cancelled", "client_disconnected"].eq(True).all()
    total = responses["total_input_tokens"] + responses["total_output_tokens"]
    assert (responses["total_tokens"] == total).all()
    assert (responses["total_cached_input_tokens"] <= responses["total_input_tokens"]).all()
    assert responses["primary_model"].str.match(r"(gpt-4o|claude-3-5)").all()
    provider = np.where(responses["primary_model"].str.startswith("gpt"), "openai", "anthropic")
    assert (responses["primary_provider"] == provider).all()
    assert 0.85 <= responses["total_cost_usd"].notna().mean() <= 0.97
    assert (responses["total_cost_usd"].dropna() > 0).all()
    assert responses["time_to_first_token_ms"].dropna().lt(responses["latency_ms"]).all()
    assert set(responses["outcome"].dropna()) <= {
        "resolved",
        "partial",
        "unresolved",
        "escalated",
        "unclear",
    }
    assert (responses["tool_call_count"] > 0).mean() > 0.1


def test_v03_breakdowns_add_up(v03: dict[str, pd.DataFrame]) -> None:
    responses = _deduplicated(v03[INTERACTION_TABLE])
    assert responses["usage_breakdown"].notna().all()
    assert not responses["usage_breakdown"].str.contains(" ").any()  # compact JSON
    usage = _json(responses["usage_breakdown"])
    entries = [entry for row in usage for entry in row]
    assert all(list(entry) == sorted(entry) for entry in entries)  # as the loader sorts keys
    assert {"provider", "model", "call_count", "error_count", "input_tokens"} <= set(entries[0])

    def total(key: str) -> pd.Series:
        return usage.map(lambda row: sum(entry.get(key, 0) for entry in row))

    assert (total("call_count") == responses["llm_call_count"]).all()
    assert (total("input_tokens") == responses["total_input_tokens"]).all()
    assert (total("output_tokens") == responses["total_output_tokens"]).all()
    assert (total("cached_input_tokens") == responses["total_cached_input_tokens"]).all()
    priced = responses["total_cost_usd"].notna()
    assert np.allclose(total("cost_usd")[priced], responses.loc[priced, "total_cost_usd"])
    assert (usage.map(len) == 2).any()  # a fallback, or a last call that failed
    # A call is listed under the model it reported: dated when served, as
    # requested when it failed (then without cost).
    dated = r"-(\d{4}-\d{2}-\d{2}|\d{8})$"
    failed = [entry for entry in entries if entry["error_count"]]
    assert failed and all("cost_usd" not in entry for entry in failed)
    assert not any(re.search(dated, entry["model"]) for entry in failed)
    assert all(re.search(dated, entry["model"]) for entry in entries if not entry["error_count"])
    tools = _json(responses["tool_breakdown"])
    counts = tools.map(lambda row: sum(entry["call_count"] for entry in row))
    assert (counts == responses.loc[tools.index, "tool_call_count"]).all()
    assert all(list(entry) == sorted(entry) for row in tools for entry in row)


def test_v03_model_calls_sum_to_their_interaction(v03: dict[str, pd.DataFrame]) -> None:
    calls = _deduplicated(v03[RESPONSE_TABLE])
    responses = _deduplicated(v03[INTERACTION_TABLE]).set_index("interaction_id")
    sums = calls.groupby("interaction_id").agg(
        calls=("id", "size"),
        input=("input_tokens", "sum"),
        output=("output_tokens", "sum"),
        total=("total_tokens", "sum"),
        cached=("cached_input_tokens", "sum"),
        written=("cache_write_tokens", "sum"),
        cost=("cost_usd", "sum"),
    )
    joined = sums.join(responses)
    assert 0.15 <= len(sums) / len(responses) <= 0.35  # per-call events on for some
    assert set(sums["calls"]) >= {1, 2, 3}
    assert (joined["calls"] == joined["llm_call_count"]).all()
    assert (joined["input"] == joined["total_input_tokens"]).all()
    assert (joined["output"] == joined["total_output_tokens"]).all()
    assert (joined["total"] == joined["total_tokens"]).all()
    assert (joined["cached"] == joined["total_cached_input_tokens"]).all()
    assert (joined["written"] == joined["total_cache_write_tokens"]).all()
    priced = joined["total_cost_usd"].notna()
    assert np.allclose(joined.loc[priced, "cost"], joined.loc[priced, "total_cost_usd"], atol=1e-9)
    assert (calls["total_tokens"] == calls["input_tokens"] + calls["output_tokens"]).all()
    assert calls["agent_name"].notna().all()
    failed = calls["error_type"].notna()
    assert (calls.loc[failed, "cost_usd"].isna()).all()


def test_v03_costs_follow_the_sdk_pricing(v03: dict[str, pd.DataFrame]) -> None:
    """`price_call`: uncached, cache-read and cache-write input at their rates, 8 decimals."""
    prices = {  # USD per 1M tokens: input, output, cache read, cache write
        "gpt-4o-2024-08-06": (2.50, 10.00, 1.25, 2.50),
        "gpt-4o-mini-2024-07-18": (0.15, 0.60, 0.075, 0.15),
        "claude-3-5-sonnet-20241022": (3.00, 15.00, 0.30, 3.75),
        "claude-3-5-haiku-20241022": (0.80, 4.00, 0.08, 1.00),
    }
    calls = v03[RESPONSE_TABLE].dropna(subset=["cost_usd"])
    rate = pd.DataFrame(calls["model"].map(prices).tolist(), index=calls.index)
    uncached = calls["input_tokens"] - calls["cached_input_tokens"] - calls["cache_write_tokens"]
    usd = (
        uncached * rate[0]
        + calls["cached_input_tokens"] * rate[2]
        + calls["cache_write_tokens"] * rate[3]
        + calls["output_tokens"] * rate[1]
    ) / 1e6
    assert np.allclose(calls["cost_usd"], usd.round(8), rtol=0, atol=1e-12)
    assert (calls["cost_usd"] * 1e8).round(6).mod(1).eq(0).all()


def test_v03_retractions_follow_their_feedback(v03: dict[str, pd.DataFrame]) -> None:
    actions = _deduplicated(v03[ACTION_TABLE])
    kind = _norm(actions["action_type"])
    assert set(kind) == {
        "feedback_given",
        "feedback_retracted",
        "copied_response",
        "regenerated",
        "shared",
        "reported",
        "accepted",
        "rejected",
        "edited",
        "clicked_through",
    }
    feedback = actions[kind == "feedback_given"]
    retracted = actions[kind == "feedback_retracted"]
    assert 0.01 <= len(retracted) / len(feedback) <= 0.12
    first_feedback = feedback.groupby("interaction_id")["timestamp"].min()
    given_at = retracted["interaction_id"].map(first_feedback)
    assert given_at.notna().all()
    assert (retracted["timestamp"] > given_at).all()
    clicks = actions[kind == "clicked_through"]
    assert clicks["action_details_card_kind"].notna().all()
    assert actions.loc[kind != "clicked_through", "action_details_target_type"].isna().all()


def test_v03_thumbs_are_booleans_in_discards(v03: dict[str, pd.DataFrame]) -> None:
    actions, discards = v03[ACTION_TABLE], v03[DISCARDS_TABLE]
    feedback = actions[actions["action_details_feedback_type"].notna()]
    first = feedback.sort_values("uuid_ts").iloc[0]
    assert _norm(pd.Series([first["action_details_feedback_type"]]))[0] == "rating"
    thumbs = _norm(actions["action_details_feedback_type"]) == "thumbs"
    assert actions.loc[thumbs, "action_details_feedback_value"].isna().all()
    assert len(discards) == thumbs.sum()
    assert set(discards["column_value"]) == {"true", "false"}
    assert (discards["reason"] == "incompatible schema conversion from int to boolean").all()
    assert discards["row_id"].isin(actions.loc[thumbs, "id"]).all()
    ratings = actions.loc[_norm(actions["action_details_feedback_type"]) == "rating"]
    assert ratings["action_details_feedback_value"].between(1, 5).all()


def test_v03_classifications(v03: dict[str, pd.DataFrame]) -> None:
    classified = _deduplicated(v03[CLASSIFIED_TABLE])
    responses = _deduplicated(v03[INTERACTION_TABLE])
    share = classified["interaction_id"].nunique() / len(responses)
    assert 0.5 <= share <= 0.7
    labelled = responses[responses["interaction_id"].isin(classified["interaction_id"])]
    assert (labelled["response_status"] == "success").all()  # the SDK labels answers only
    assert set(classified["outcome"]) == {
        "resolved",
        "partial",
        "unresolved",
        "escalated",
        "unclear",
    }
    assert classified["intent"].isin(INTENTS).all()
    assert set(classified["classifier"]) == {"model", "custom"}
    twice = classified[classified["interaction_id"].duplicated(keep=False)]
    assert 0 < twice["interaction_id"].nunique() <= 0.2 * classified["interaction_id"].nunique()
    order = twice.sort_values("timestamp").groupby("interaction_id")["classifier"]
    assert (order.last() == "custom").all()  # the later re-run is the latest label
    model = classified["classifier"] == "model"
    assert classified.loc[model, "classifier_cost_usd"].notna().all()
    assert classified.loc[~model, "intent_summary"].isna().all()
    assert classified.loc[model, "intent_summary"].notna().mean() > 0.9


def test_v03_scores(v03: dict[str, pd.DataFrame]) -> None:
    scored = _deduplicated(v03[SCORED_TABLE])
    responses = _deduplicated(v03[INTERACTION_TABLE])
    assert 0.15 <= scored["interaction_id"].nunique() / len(responses) <= 0.25
    assert set(scored["evaluator"]) == {"model", "code", "human"}
    assert set(scored["evaluation_name"]) == {
        "helpfulness",
        "groundedness",
        "policy_check",
        "human_review",
    }
    has_value = scored["score_value"].notna()
    assert (has_value | scored["score_label"].notna()).all()
    judged = scored[scored["evaluator"] == "model"]
    assert judged["score_value"].between(0, 1).all() and judged["sampled"].eq(True).all()
    human = scored[scored["evaluator"] == "human"]
    assert (human["anonymous_id"] == "ai_system").all() and human["user_id"].isna().all()
    assert human["context_session_id"].isna().all() and human["trigger"].isna().all()
    first = scored[has_value].sort_values("uuid_ts").iloc[0]["score_value"]
    assert first != round(first)  # a whole first value would make the column BIGINT


@pytest.mark.parametrize("table", V03_TABLES)
def test_v03_duplicates_are_late_identical_copies(v03: dict[str, pd.DataFrame], table: str) -> None:
    frame = v03[table]
    copies = frame[frame["id"].duplicated(keep=False)].sort_values(["id", "uuid_ts"])
    assert 0.003 <= frame["id"].duplicated().mean() <= 0.05
    # Each delivery has its own receipt, and so (from the Python client, which
    # sends no originalTimestamp) its own original_timestamp; the rest is equal.
    load_columns = ["received_at", "uuid_ts", "original_timestamp"]
    content = copies.drop(columns=load_columns).astype(str)
    assert content.groupby(copies["id"]).nunique().max().max() == 1
    assert frame["uuid_ts"].is_monotonic_increasing  # rows in load order
    assert (frame["uuid_ts"] > frame["received_at"]).all()
    assert (frame["original_timestamp"] == frame["received_at"]).all()
    assert (frame["timestamp"] <= frame["sent_at"]).all()
    assert (frame["sent_at"] < frame["received_at"]).all()


def test_v03_app_values_come_in_odd_spellings(v03: dict[str, pd.DataFrame]) -> None:
    intent = v03[PROMPT_TABLE]["intent"].dropna()
    assert 0.03 <= (intent != _norm(intent)).mean() <= 0.2
    assert (v03[INTERACTION_TABLE]["response_status"] == "success").any()
    sdk_values = v03[INTERACTION_TABLE]["response_status"]
    assert (sdk_values == _norm(sdk_values)).all()  # the SDK's own values are exact


def test_mixed_holds_both_generations(mixed: dict[str, pd.DataFrame]) -> None:
    assert set(mixed) == {*V03_TABLES, DISCARDS_TABLE}
    total = sum(len(mixed[name]) for name in V03_TABLES)
    # Looser than a single spec: how many turns fall in v0.1 sessions varies
    # with a few thousand events (a few dozen users); within 2% at 100,000.
    assert 0.8 * EVENTS <= total <= 1.2 * EVENTS
    cutoff = pd.Timestamp("2026-10-15", tz="UTC")
    for table in (PROMPT_TABLE, RESPONSE_TABLE, ACTION_TABLE):
        frame = mixed[table]
        old = frame[SPEC_VERSION].isna()
        assert 0.1 <= old.mean() <= 0.9, table
        assert frame.loc[old, "interaction_id"].isna().all()
        assert frame.loc[~old, "interaction_id"].notna().all()
        # Sessions that started before the switch stay v0.1.
        assert frame.loc[old, "timestamp"].min() < cutoff <= frame.loc[~old, "timestamp"].max()
        assert frame["uuid_ts"].is_monotonic_increasing
        # The union: standard columns, then v0.1's properties, then v0.3's.
        union = dict.fromkeys(
            [*STANDARD_V01, *STANDARD_V03, *CONTRACT[table], *CONTRACT_V03[table]]
        )
        assert list(frame.columns) == [col for col in union if col in frame]
    prompts = mixed[PROMPT_TABLE]
    old = prompts[SPEC_VERSION].isna()
    assert prompts.loc[old, "prompt_text"].notna().all()
    assert prompts.loc[~old, "prompt_text"].isna().all()
    assert prompts.loc[old, "intent"].isna().all()
    # v0.1 responses and v0.3 model calls share a table.
    calls = mixed[RESPONSE_TABLE]
    v01_answers = calls["interaction_id"].isna()
    assert calls.loc[v01_answers, "response_status"].notna().all()
    assert calls.loc[~v01_answers, "response_status"].isna().all()
    assert calls.loc[~v01_answers, "model"].notna().all()
    assert calls.loc[v01_answers, ["model", "input_tokens", "cost_usd"]].isna().all().all()
    # Both kinds of thumbs reach the discards: v0.1 text, v0.3 booleans.
    discards = mixed[DISCARDS_TABLE]
    assert set(discards["column_value"]) <= {"true", "false", "up", "down"}
    assert discards["reason"].str.endswith("from int to string").any()
    boolean = discards["row_id"].isin(mixed[ACTION_TABLE].loc[~_old_actions(mixed), "id"])
    assert boolean.any() and (discards.loc[boolean, "reason"].str.endswith("to boolean")).all()


def _old_actions(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """v0.1 rows of a mixed `ai_user_action`: they carry no spec version."""
    return tables[ACTION_TABLE][SPEC_VERSION].isna()


def test_mixed_lands_union_types(mixed: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    path = tmp_path / "mixed.duckdb"
    write_duckdb(mixed, path)
    with duckdb.connect(str(path), read_only=True) as con:
        for table in (PROMPT_TABLE, RESPONSE_TABLE, ACTION_TABLE):
            declared = {**CONTRACT[table], **CONTRACT_V03[table]}
            described = con.sql(f"describe rudderstack.{table}").fetchall()
            assert all(DUCKDB_TYPES[declared[row[0]]] == row[1] for row in described)


def test_cli_spec_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "v03.duckdb"
    argv = ["demo-data", "--events", "1500", "--out", str(database), "--spec", "v0.3"]
    assert main(argv) == 0
    assert capsys.readouterr().out.count("wrote ") == 7
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {row[0] for row in con.sql("select table_name from duckdb_tables()").fetchall()}
    assert tables == {*V03_TABLES, DISCARDS_TABLE}
    with pytest.raises(SystemExit):
        main(["demo-data", "--spec", "v0.2"])
