"""Both spec generations in the same tables give the totals of the two built apart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ai_analytics.demo_data import write_duckdb
from tests.conftest import Build
from tests.dbt_harness import NO_SOURCE_FIXTURES, read_marts, run_dbt

# Columns that add up across the two parts: they split by session, so a
# conversation is in one part only, while a user can be in both (distinct
# user counts are not additive and are left out).
ADDITIVE = {
    "ai_cost_daily": ["responses", "conversations", "total_cost_usd", "total_tokens"],
    "ai_engagement_daily": ["conversations", "prompts", "responses"],
    "ai_intent_distribution": ["prompts"],
    "ai_model_performance_daily": ["responses", "errors", "timeouts"],
    "ai_satisfaction_by_intent": ["feedback_events", "ratings", "thumbs", "regenerations"],
}


def _split(raw: dict[str, pd.DataFrame]) -> tuple[dict, dict]:
    """The rows of each generation (v0.3 rows carry the SDK's spec version)."""
    v01, v03 = {}, {}
    for name, frame in raw.items():
        if name == "rudder_discards":
            continue
        spec = frame.get("context_wrapper_library_spec_version")
        is_v03 = spec.notna() if spec is not None else pd.Series(False, index=frame.index)
        if (~is_v03).any():
            v01[name] = frame[~is_v03].dropna(axis="columns", how="all")
        if is_v03.any():
            v03[name] = frame[is_v03].dropna(axis="columns", how="all")
    discards = raw["rudder_discards"]
    for part in (v01, v03):
        ids = set().union(*(set(frame["id"]) for frame in part.values()))
        part["rudder_discards"] = discards[discards["row_id"].isin(ids)]
    return v01, v03


def _build(raw: dict[str, pd.DataFrame], where: Path) -> dict[str, pd.DataFrame]:
    where.mkdir()
    database = where / "warehouse.duckdb"
    write_duckdb(raw, database)
    run_dbt(database, where, *NO_SOURCE_FIXTURES)
    return read_marts(database)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Build:
    from tests.conftest import _build as build_one

    return build_one(tmp_path_factory, 2024, "mixed")


def test_mixed_tables_equal_the_two_generations_built_apart(mixed: Build, tmp_path: Path) -> None:
    v01, v03 = _split(mixed.raw)
    assert "ai_response_received" in v03 and "ai_llm_response_received" in v01
    parts = [_build(v01, tmp_path / "v01"), _build(v03, tmp_path / "v03")]
    for mart, columns in ADDITIVE.items():
        whole = mixed.marts[mart][columns].sum()
        summed = parts[0][mart][columns].sum() + parts[1][mart][columns].sum()
        pd.testing.assert_series_equal(whole, summed, check_exact=False, rtol=1e-9, obj=mart)
