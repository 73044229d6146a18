"""Properties of a build that no single mart comparison shows."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import Build
from tests.dbt_harness import (
    MARTS,
    NO_SOURCE_FIXTURES,
    built_relations,
    read_classifier_labels,
    read_marts,
    run_dbt,
    run_dbt_subprocess,
    seed_prices,
    seed_taxonomy,
)
from tests.expected_marts import expected_marts
from tests.test_marts_match_expectations import assert_same_mart

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+?\(?\d{1,4}\)?[ .-]\d{2,4}[ .-]\d{3,4}")
CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")


def _frames_equal(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    for name in MARTS:
        a = left[name].sort_values(list(left[name].columns)).reset_index(drop=True)
        b = right[name].sort_values(list(right[name].columns)).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, obj=name)


def test_second_build_on_unchanged_data_changes_no_mart(first_build: Build) -> None:
    run_dbt(first_build.database, first_build.work_dir)
    _frames_equal(first_build.marts, read_marts(first_build.database))


def test_session_time_zone_does_not_change_any_mart(first_build: Build, tmp_path) -> None:
    zone = "America/Los_Angeles"
    read_zone = (
        "import duckdb; print(duckdb.sql(\"select current_setting('TimeZone')\").fetchall()[0][0])"
    )
    probe = subprocess.run(
        [sys.executable, "-c", read_zone],
        env={"TZ": zone, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    # The test means something only if DuckDB really takes the process's zone.
    assert probe.stdout.strip() == zone
    database = tmp_path / "la.duckdb"
    shutil.copy(first_build.database, database)
    run_dbt_subprocess(database, tmp_path, "--quiet", env={"TZ": zone})
    _frames_equal(first_build.marts, read_marts(database))


def test_every_model_and_column_is_documented(first_build: Build) -> None:
    """Every built column has a description, and every described column is
    built (redacted text only exists with the keep_redacted_text opt-in)."""
    manifest = json.loads((first_build.work_dir / "target" / "manifest.json").read_text())
    models = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "ai_product_analytics"
    }
    undocumented = []
    not_built = []
    with duckdb.connect(str(first_build.database)) as connection:
        for name, node in sorted(models.items()):
            if not node["description"].strip():
                undocumented.append(name)
            documented = {c for c, v in node["columns"].items() if v["description"].strip()}
            relation = f'"{node["schema"]}"."{node["alias"]}"'
            built = [row[0] for row in connection.sql(f"describe {relation}").fetchall()]
            undocumented += [f"{name}.{column}" for column in built if column not in documented]
            not_built += [
                f"{name}.{column}"
                for column in sorted(node["columns"])
                if column not in built and not column.endswith("_text_redacted")
            ]
    assert undocumented == []
    assert not_built == []


def _personal_data(raw: dict[str, pd.DataFrame]) -> set[str]:
    """Every email, phone number and card number in the raw free-text columns."""
    found: set[str] = set()
    for table, column in (
        ("ai_user_prompt_created", "prompt_text"),
        ("ai_user_action", "action_details_feedback_text"),
    ):
        for text in raw[table][column].dropna().astype(str):
            for pattern in (EMAIL, PHONE, CARD):
                found.update(match.group(0).strip() for match in pattern.finditer(text))
    return {value for value in found if len(value) >= 8}


def test_no_built_relation_holds_personal_data_from_the_text(first_build: Build) -> None:
    secrets = _personal_data(first_build.raw)
    assert any("@" in s for s in secrets), "demo data should carry emails to look for"
    leaks = []
    with duckdb.connect(str(first_build.database)) as connection:
        for schema, name in built_relations(first_build.database):
            frame = connection.sql(f'select * from "{schema}"."{name}"').df()
            for column in frame.columns:
                if frame[column].dtype != object:
                    continue
                values = set(frame[column].dropna().astype(str))
                text = "\n".join(values)
                hits = [secret for secret in secrets if secret in text]
                if hits:
                    leaks.append(f"{schema}.{name}.{column}: {hits[:3]}")
    assert leaks == []


def test_the_guides_questions_run_against_the_marts(first_build: Build) -> None:
    run_dbt(
        first_build.database,
        first_build.work_dir,
        "--select",
        "resource_type:analysis",
        command="compile",
    )
    compiled = first_build.work_dir / "target" / "compiled" / "ai_product_analytics" / "analyses"
    files = sorted(compiled.glob("*.sql"))
    assert len(files) == 5
    with duckdb.connect(str(first_build.database)) as connection:
        for path in files:
            rows = connection.sql(path.read_text()).fetchall()
            assert rows, f"{path.name} returned no rows"


def test_parquet_input_gives_the_same_marts(first_build: Build, tmp_path) -> None:
    from ai_analytics.demo_data import write_parquet

    write_parquet(first_build.raw, tmp_path / "lake")
    database = tmp_path / "from_parquet.duckdb"
    variables = f'{{rudderstack_parquet_path: "{tmp_path / "lake"}"}}'
    run_dbt(database, tmp_path, "--vars", variables)
    with duckdb.connect(str(database)) as connection:
        schemas = {
            row[0] for row in connection.sql("select schema_name from duckdb_schemas()").fetchall()
        }
    assert "rudderstack" not in schemas, "the events were read from Parquet, not loaded"
    _frames_equal(first_build.marts, read_marts(database))


def test_nothing_is_left_outside_the_schemas_the_package_builds(first_build: Build) -> None:
    expected = {"rudderstack", "main", "main_ai_staging", "main_ai_intermediate", "main_ai_seeds"}
    with duckdb.connect(str(first_build.database)) as connection:
        rows = connection.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
    assert {schema for schema, _ in rows} <= expected
    assert [name for _, name in rows if "__dbt_tmp" in name or name.startswith("ai_pa_")] == []


def test_dbt_docs_generate_works(first_build: Build) -> None:
    run_dbt(first_build.database, first_build.work_dir, command="docs generate")
    catalog = json.loads((first_build.work_dir / "target" / "catalog.json").read_text())
    assert "model.ai_product_analytics.fct_ai_prompt_turns" in catalog["nodes"]


def test_unusable_rows_are_quarantined_with_a_reason(first_build: Build, tmp_path) -> None:
    database = tmp_path / "quarantine.duckdb"
    shutil.copy(first_build.database, database)
    with duckdb.connect(str(database)) as connection:
        connection.sql(
            "insert into rudderstack.ai_llm_response_received "
            "(id, timestamp, received_at, uuid_ts, latency_ms, response_status) values "
            "(null, now(), now(), now(), 5, 'success'), "
            "('q-negative', now(), now(), now(), -5, 'success'), "
            "('q-status', now(), now(), now(), 5, ' Exploded '), "
            "('q-future', now() + interval 400 day, now(), now(), 5, 'success')"
        )
        connection.sql(
            "insert into rudderstack.ai_user_prompt_created (id, timestamp, received_at, uuid_ts) "
            "values ('q-no-conversation', now(), now(), now())"
        )
    run_dbt(database, tmp_path)
    with duckdb.connect(str(database)) as connection:
        rows = connection.sql(
            "select table_name, event_id, reason, is_excluded "
            "from main_ai_staging.stg_rudderstack__quarantine"
        ).fetchall()
        staged = {
            row[0]
            for row in connection.sql(
                "select event_id from main_ai_staging.stg_rudderstack__llm_responses"
            ).fetchall()
        }
    assert set(rows) == {
        ("ai_llm_response_received", None, "missing_id", True),
        ("ai_llm_response_received", "q-negative", "negative_latency", False),
        ("ai_llm_response_received", "q-status", "unknown_status", False),
        ("ai_llm_response_received", "q-future", "event_time_in_future", False),
        ("ai_user_prompt_created", "q-no-conversation", "missing_conversation_id", False),
    }
    # Merely odd rows still count: they are staged.
    assert {"q-negative", "q-status", "q-future"} <= staged


# The cost columns of each response table, as a loader types them from a
# whole first value (a cost of `0`): BIGINT, every later cost truncated.
INTEGER_COSTS = frozenset(
    {("ai_llm_response_received", "cost"), ("ai_response_received", "total_cost_usd")}
)


def test_a_cost_column_typed_as_integer_is_flagged(build: Build, tmp_path) -> None:
    if build.spec != "mixed":
        pytest.skip("the mixed data has both response tables, and model calls beside `cost`")
    database = tmp_path / "integer_cost.duckdb"
    shutil.copy(build.database, database)
    raw = dict(build.raw)
    with duckdb.connect(str(database)) as connection:
        for table, column in INTEGER_COSTS:
            connection.sql(
                f"alter table rudderstack.{table} alter {column} type bigint "
                f"using cast(floor({column}) as bigint)"
            )
            raw[table] = raw[table].assign(**{column: np.floor(raw[table][column])})
        with_cost = (
            connection.sql(
                "select count(distinct id) from rudderstack.ai_llm_response_received "
                "where cost is not null and interaction_id is null"
            ).fetchall()[0][0]
            + connection.sql(
                "select count(distinct id) from rudderstack.ai_response_received "
                "where total_cost_usd is not null"
            ).fetchall()[0][0]
        )
        # v0.3 model calls report `cost_usd`, still a decimal column: not truncated.
        calls_with_cost = connection.sql(
            "select count(*) from rudderstack.ai_llm_response_received "
            "where interaction_id is not null and cost_usd is not null"
        ).fetchall()[0][0]
    assert with_cost > 0 and calls_with_cost > 0
    run_dbt(database, tmp_path, "--full-refresh", *NO_SOURCE_FIXTURES)
    with duckdb.connect(str(database)) as connection:
        flagged = connection.sql(
            "select count(*) from main_ai_staging.stg_rudderstack__quarantine "
            "where reason = 'cost_truncated_by_loader'"
        ).fetchall()[0][0]
    assert flagged == with_cost
    marts = read_marts(database)
    coverage = marts["ai_classification_coverage"]
    assert coverage["is_cost_truncated_by_loader"].all()
    assert coverage["truncated_cost_responses"].sum() == with_cost
    # Every mart, the truncated costs and their counts included, equals the
    # oracle told only which columns the warehouse holds as integers.
    expected = expected_marts(
        raw,
        seed_taxonomy(),
        seed_prices(),
        read_classifier_labels(database),
        integer_cost_columns=INTEGER_COSTS,
    )
    for mart in MARTS:
        assert_same_mart(marts[mart], expected[mart], mart)


def test_the_many_column_not_null_test_fails_on_one_null(first_build: Build, tmp_path) -> None:
    """`no_nulls` replaces a `not_null` test per column on the big grains: one NULL
    in any of its columns must fail it, and the clean build must pass it."""
    database = tmp_path / "nulls.duckdb"
    shutil.copy(first_build.database, database)
    # The build's last writes may still be in its write-ahead log.
    wal = first_build.database.with_name(first_build.database.name + ".wal")
    if wal.exists():
        shutil.copy(wal, database.with_name(database.name + ".wal"))
    run_dbt(database, tmp_path, "--select", "test_name:no_nulls", command="test")
    with duckdb.connect(str(database)) as connection:
        connection.sql(
            "update fct_ai_prompt_turns set click_throughs = null where prompt_event_id = "
            "(select min(prompt_event_id) from fct_ai_prompt_turns)"
        )
    with pytest.raises(AssertionError, match=r"no_nulls_fct_ai_prompt_turns.*fail"):
        run_dbt(database, tmp_path, "--select", "test_name:no_nulls", command="test")
