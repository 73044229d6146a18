"""Fast checks of the demo-data generator, on a few thousand events.

The column contract is read from docs/raw_tables.md itself, so the generator
is checked against the documentation rather than against its own constants.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ai_analytics.cli import main
from ai_analytics.demo_data import (
    ACTION_TABLE,
    DISCARDS_TABLE,
    MODEL_PRICES_PER_1M,
    PROMPT_TABLE,
    RESPONSE_TABLE,
    Quirks,
    generate,
    write_duckdb,
    write_parquet,
)
from ai_analytics.demo_texts import luhn_valid

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
