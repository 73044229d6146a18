"""The semantic layer: MetricFlow reads the project's metrics and agrees with the marts.

`dbt parse` writes target/semantic_manifest.json; `mf` (dbt-metricflow) reads it
from `<DBT_PROJECT_DIR>/target/` and nowhere else, so the tests parse into a
scratch project directory (a link to dbt_project.yml and its own target/) and
point `mf` at it, leaving the repository's target/ alone. The in-process dbt
builds keep the build's DuckDB file locked, so `mf`, a child process, queries a
copy of it (same file name, hence the same catalog name in the manifest).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import Build
from tests.dbt_harness import PROJECT_DIR, run_dbt

MF = Path(sys.executable).with_name("mf")
METRICS = {
    "prompts",
    "conversations",
    "active_users",
    "responses",
    "errors",
    "error_rate",
    "avg_latency_ms",
    "p95_latency_ms",
    "cost_usd",
    "cost_per_conversation_usd",
    "ratings",
    "avg_rating",
    "thumbs",
    "thumbs_up_rate",
}
# Every metric can be sliced by these (metric_time through each agg_time_dimension).
SHARED_ENTITIES = {"intent", "model"}

pytestmark = pytest.mark.skipif(
    not MF.exists(), reason="dbt-metricflow is not installed (the `mf` command is missing)"
)


@dataclass
class SemanticProject:
    """A scratch dbt project directory whose target/ holds a fresh semantic manifest."""

    database: Path  # the copy mf queries
    marts_database: Path  # the build's own file, read in-process
    project_dir: Path

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DBT_PROJECT_DIR": str(self.project_dir),
            "AI_ANALYTICS_DUCKDB_PATH": str(self.database),
        }

    def mf(self, *args: str) -> str:
        completed = subprocess.run(
            [str(MF), *args],
            cwd=self.project_dir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-5000:]
        return completed.stdout

    def query(self, metrics: list[str], group_by: list[str]) -> pd.DataFrame:
        out = self.project_dir / f"query_{'_'.join(metrics)}__{'_'.join(group_by)}.csv"
        self.mf(
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            ",".join(group_by),
            "--csv",
            str(out),
            "--quiet",
        )
        return pd.read_csv(out)


@pytest.fixture(scope="module")
def semantic(first_build: Build, tmp_path_factory: pytest.TempPathFactory) -> SemanticProject:
    project_dir = tmp_path_factory.mktemp("semantic_project")
    (project_dir / "dbt_project.yml").symlink_to(PROJECT_DIR / "dbt_project.yml")
    database = project_dir / first_build.database.name
    with duckdb.connect(str(first_build.database)) as connection:
        connection.execute("checkpoint")
    shutil.copy(first_build.database, database)
    run_dbt(database, project_dir, command="parse")
    assert (project_dir / "target" / "semantic_manifest.json").exists()
    return SemanticProject(database, first_build.database, project_dir)


def _mart(database: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database)) as connection:
        return connection.sql(sql).df()


def _assert_close(actual: pd.Series, expected: pd.Series, rtol: float = 1e-9) -> None:
    pd.testing.assert_series_equal(
        actual.astype(float), expected.astype(float), check_names=False, rtol=rtol, atol=0
    )


def test_the_semantic_manifest_declares_every_metric(semantic: SemanticProject) -> None:
    manifest = json.loads((semantic.project_dir / "target" / "semantic_manifest.json").read_text())
    declared = {metric["name"] for metric in manifest["metrics"]}
    assert METRICS - declared == set()
    for model in manifest["semantic_models"]:
        entities = {entity["name"] for entity in model["entities"]}
        assert SHARED_ENTITIES - entities == set(), model["name"]
    spine = manifest["project_configuration"]["time_spines"]
    assert [s["primary_column"]["time_granularity"] for s in spine] == ["day"]


def test_metricflow_validates_the_configs_against_the_warehouse(
    semantic: SemanticProject,
) -> None:
    out = semantic.mf("validate-configs")
    assert "Successfully validated the semantics of built manifest" in out
    assert "Successfully validated metrics against data warehouse" in out
    assert "ERRORS: 0, FUTURE_ERRORS: 0" in out


def test_engagement_by_day_equals_ai_engagement_daily(semantic: SemanticProject) -> None:
    got = semantic.query(["prompts", "conversations", "active_users"], ["metric_time__day"])
    got["date_day"] = pd.to_datetime(got["metric_time__day"]).dt.date
    got = got.set_index("date_day").sort_index()
    mart = _mart(
        semantic.marts_database,
        "select date_day, prompts, conversations, active_users "
        "from ai_engagement_daily where prompts > 0 order by date_day",
    ).set_index("date_day")
    mart.index = pd.to_datetime(mart.index).date
    assert list(got.index) == list(mart.index)
    for column in ("prompts", "conversations", "active_users"):
        assert got[column].tolist() == mart[column].tolist(), column


def test_cost_and_error_rate_by_model_equal_the_daily_marts(semantic: SemanticProject) -> None:
    got = semantic.query(["cost_usd", "responses", "error_rate"], ["model"]).set_index("model")
    cost = _mart(
        semantic.marts_database,
        "select model_used, sum(total_cost_usd) as cost_usd from ai_cost_daily group by 1",
    ).set_index("model_used")
    performance = _mart(
        semantic.marts_database,
        "select model_used, sum(responses) as responses, "
        "100.0 * sum(errors) / sum(responses) as error_rate, "
        "min(error_rate) as min_daily_rate, max(error_rate) as max_daily_rate "
        "from ai_model_performance_daily group by 1",
    ).set_index("model_used")
    assert sorted(got.index) == sorted(cost.index) == sorted(performance.index)
    got = got.loc[sorted(got.index)]
    _assert_close(got["cost_usd"], cost.loc[got.index, "cost_usd"])
    assert got["responses"].tolist() == performance.loc[got.index, "responses"].tolist()
    _assert_close(got["error_rate"], performance.loc[got.index, "error_rate"])
    # A rate over all days lies between the model's lowest and highest daily rate.
    assert (got["error_rate"] >= performance.loc[got.index, "min_daily_rate"] - 1e-9).all()
    assert (got["error_rate"] <= performance.loc[got.index, "max_daily_rate"] + 1e-9).all()


def test_cost_per_conversation_by_day_and_model_equals_ai_cost_daily(
    semantic: SemanticProject,
) -> None:
    got = semantic.query(["cost_per_conversation_usd"], ["metric_time__day", "model"])
    got["date_day"] = pd.to_datetime(got["metric_time__day"]).dt.date
    got = got.set_index(["date_day", "model"]).sort_index()
    mart = _mart(
        semantic.marts_database,
        "select date_day, model_used as model, cost_per_conversation_usd from ai_cost_daily",
    )
    mart["date_day"] = pd.to_datetime(mart["date_day"]).dt.date
    mart = mart.set_index(["date_day", "model"]).sort_index()
    assert list(got.index) == list(mart.index)
    _assert_close(got["cost_per_conversation_usd"], mart["cost_per_conversation_usd"])


def test_latency_and_feedback_by_intent_equal_the_intent_marts(
    semantic: SemanticProject,
) -> None:
    got = semantic.query(
        ["p95_latency_ms", "avg_latency_ms", "avg_rating", "thumbs_up_rate"], ["intent"]
    ).set_index("intent")
    latency = _mart(
        semantic.marts_database,
        "select intent, p95_latency_ms, avg_latency_ms from ai_latency_by_intent",
    ).set_index("intent")
    satisfaction = _mart(
        semantic.marts_database,
        "select intent, avg_rating, thumbs_up_rate from ai_satisfaction_by_intent",
    ).set_index("intent")
    for column in ("p95_latency_ms", "avg_latency_ms"):
        _assert_close(got[column].dropna().sort_index(), latency[column].sort_index(), rtol=1e-6)
    for column in ("avg_rating", "thumbs_up_rate"):
        expected = satisfaction[column].dropna().sort_index()
        _assert_close(got[column].dropna().sort_index(), expected, rtol=1e-9)
