"""Shared fixtures: demo data generated once per seed and built once with dbt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from ai_analytics.demo_data import generate, write_duckdb
from tests.dbt_harness import read_marts, run_dbt

# Small enough to build in seconds, large enough for every quirk to occur.
EVENTS = 20_000
SEEDS = [7, 2024]


@dataclass
class Build:
    """One generated data set, built by dbt."""

    seed: int
    spec: str
    database: Path
    work_dir: Path
    raw: dict[str, pd.DataFrame]
    marts: dict[str, pd.DataFrame]


def _build(tmp_path_factory: pytest.TempPathFactory, seed: int) -> Build:
    work_dir = tmp_path_factory.mktemp(f"build_seed_{seed}")
    database = work_dir / "warehouse.duckdb"
    raw = generate(events=EVENTS, seed=seed)
    write_duckdb(raw, database)
    run_dbt(database, work_dir)
    return Build(seed, "v0.1", database, work_dir, raw, read_marts(database))


@pytest.fixture(scope="session", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The demo data of one seed, built once per test session."""
    return _build(tmp_path_factory, request.param)


@pytest.fixture(scope="session")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """One build for tests that need any single data set."""
    return _build(tmp_path_factory, SEEDS[0])
