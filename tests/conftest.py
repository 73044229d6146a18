"""Shared fixtures: demo data generated once per seed and built once with dbt."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from ai_analytics.demo_data import generate, write_duckdb
from tests.dbt_harness import NO_SOURCE_FIXTURES, read_marts, run_dbt

# The fixtures are small, so a build is bound by dbt's time per node, not by
# DuckDB: two nodes at a time (the profile's default of one suits big data).
os.environ.setdefault("AI_ANALYTICS_THREADS", "2")

# Small enough to build in seconds, large enough for every quirk to occur.
EVENTS = 20_000
# (seed, spec): both generations alone and side by side in the same tables.
BUILDS = [(7, "v0.1"), (2024, "mixed"), (99, "v0.3")]


@dataclass
class Build:
    """One generated data set, built by dbt."""

    seed: int
    spec: str
    database: Path
    work_dir: Path
    raw: dict[str, pd.DataFrame]
    marts: dict[str, pd.DataFrame]


def _build(tmp_path_factory: pytest.TempPathFactory, seed: int, spec: str = "v0.1") -> Build:
    work_dir = tmp_path_factory.mktemp(f"build_{spec}_seed_{seed}")
    database = work_dir / "warehouse.duckdb"
    raw = generate(events=EVENTS, seed=seed, spec=spec)
    write_duckdb(raw, database)
    # v0.3 tables lack the v0.1 columns the staging unit-test fixtures name.
    extra = () if spec == "v0.1" else NO_SOURCE_FIXTURES
    run_dbt(database, work_dir, *extra)
    return Build(seed, spec, database, work_dir, raw, read_marts(database))


@pytest.fixture(scope="session", params=BUILDS, ids=[f"{spec}-seed{seed}" for seed, spec in BUILDS])
def build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The demo data of one seed and spec, built once per test session."""
    seed, spec = request.param
    return _build(tmp_path_factory, seed, spec)


@pytest.fixture(scope="session")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """One build for tests that need any single data set."""
    return _build(tmp_path_factory, *BUILDS[0])
