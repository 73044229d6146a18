"""Every mart, built by dbt from demo data, equals the independent pandas oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import Build
from tests.dbt_harness import (
    CLEAN_DATA_EMPTY_MARTS,
    MARTS,
    V03_MARTS,
    read_classifier_labels,
    seed_prices,
    seed_taxonomy,
)
from tests.expected_marts import (
    BOOL,
    DAY,
    FLOAT,
    INT,
    MART_COLUMNS,
    MART_GRAINS,
    TEXT,
    TS,
    expected_marts,
)


def _normalised(frame: pd.DataFrame, mart: str) -> pd.DataFrame:
    """The contract columns of a mart with comparable dtypes, sorted by its grain."""
    out = pd.DataFrame(index=frame.index)
    for column, kind in MART_COLUMNS[mart].items():
        values = frame[column]
        if kind == TEXT:
            out[column] = values.astype(object).where(values.notna(), None)
        elif kind in (TS, DAY):
            out[column] = pd.to_datetime(values).astype("datetime64[us]")
        elif kind == INT:
            out[column] = values.astype("int64")
        elif kind == BOOL:
            out[column] = values.astype(bool)
        else:
            out[column] = pd.to_numeric(values).astype("float64")
    grain = MART_GRAINS[mart]
    return out.sort_values(grain, na_position="last", kind="stable").reset_index(drop=True)


def assert_same_mart(actual: pd.DataFrame, expected: pd.DataFrame, mart: str) -> None:
    assert len(actual) == len(expected), f"{mart}: {len(actual)} rows, expected {len(expected)}"
    actual = _normalised(actual, mart)
    expected = _normalised(expected, mart)
    for column, kind in MART_COLUMNS[mart].items():
        got, want = actual[column], expected[column]
        if kind == FLOAT:
            same = pd.Series(np.isclose(got, want, rtol=1e-9, atol=1e-9, equal_nan=True))
        else:
            same = ((got == want) | (got.isna() & want.isna())).astype(bool)
        if not same.all():
            bad = (~same).to_numpy().nonzero()[0][:5]
            grain = MART_GRAINS[mart]
            detail = pd.DataFrame(
                {
                    **{f"key_{g}": actual[g].iloc[bad].to_numpy() for g in grain},
                    "actual": got.iloc[bad].to_numpy(),
                    "expected": want.iloc[bad].to_numpy(),
                }
            )
            raise AssertionError(
                f"{mart}.{column}: {int((~same).sum())} of {len(same)} rows differ\n{detail}"
            )


@pytest.fixture(scope="module")
def expected(build: Build) -> dict[str, pd.DataFrame]:
    return expected_marts(
        build.raw, seed_taxonomy(), seed_prices(), read_classifier_labels(build.database)
    )


@pytest.mark.parametrize("mart", MARTS)
def test_mart_matches_independent_computation(
    build: Build, expected: dict[str, pd.DataFrame], mart: str
) -> None:
    if mart not in CLEAN_DATA_EMPTY_MARTS and (mart not in V03_MARTS or build.spec != "v0.1"):
        assert len(build.marts[mart]) > 0, f"{mart} is empty on demo data"
    assert_same_mart(build.marts[mart], expected[mart], mart)
