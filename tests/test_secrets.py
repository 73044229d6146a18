"""The LLM API key reaches the API's Authorization header and nowhere else.

A build with `intent_classifier: llm` runs in a child process against the
local stand-in server of tests/test_llm_classifier.py, with a unique fake key
in the environment variable named by `llm_api_key_env_var`. Afterwards the
key must not be in any file of target/ or logs/, in any value of any table of
the DuckDB database (nor in its file's bytes), nor in anything dbt printed.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import duckdb
import pytest

from ai_analytics.demo_data import generate, write_duckdb
from tests.dbt_harness import read_classifier_labels, run_dbt_subprocess
from tests.test_llm_classifier import FakeLLM

KEY_ENV_VAR = "AI_PA_SECRETS_TEST_LLM_KEY"


@pytest.fixture(scope="module")
def llm_build(tmp_path_factory: pytest.TempPathFactory):
    key = f"sk-test-{secrets.token_hex(16)}"
    work_dir = tmp_path_factory.mktemp("secrets")
    database = work_dir / "warehouse.duckdb"
    raw = generate(events=300, seed=5)
    # No event labels: every prompt goes to the classifier, so the API is called.
    for table in raw.values():
        if "classified_intent" in table.columns:
            table["classified_intent"] = None
    write_duckdb(raw, database)
    server = FakeLLM()
    server.thread.start()
    try:
        variables = {
            "intent_classifier": "llm",
            "llm_base_url": server.url,
            "llm_model": "test/model",
            "llm_api_key_env_var": KEY_ENV_VAR,
            "llm_timeout_s": 5,
        }
        completed = run_dbt_subprocess(
            database, work_dir, "--vars", json.dumps(variables), env={KEY_ENV_VAR: key}
        )
    finally:
        server.server.shutdown()
        server.server.server_close()
    return key, work_dir, database, server, completed


def test_the_api_was_called_with_the_key(llm_build) -> None:
    key, _, database, server, _ = llm_build
    assert server.requests, "the classifier never called the stand-in API"
    for record in server.requests:
        assert record.headers.get("Authorization") == f"Bearer {key}"
    labels = read_classifier_labels(database)
    assert set(labels["classification_status"]) == {"classified"}


def test_the_key_is_only_in_the_authorization_header(llm_build) -> None:
    key, _, _, server, _ = llm_build
    for record in server.requests:
        assert key not in record.path
        assert key.encode() not in record.raw
        others = {name: value for name, value in record.headers.items() if name != "Authorization"}
        assert key not in json.dumps(others)


def test_the_key_is_in_no_file_of_target_or_logs(llm_build) -> None:
    key, work_dir, _, _, _ = llm_build
    files = [
        path
        for folder in ("target", "logs")
        for path in (work_dir / folder).rglob("*")
        if path.is_file()
    ]
    assert any(path.parent.name == "logs" for path in files)
    assert any(path.name == "manifest.json" for path in files)
    leaked = [str(path) for path in files if key.encode() in path.read_bytes()]
    assert not leaked


def _text_values(database: Path) -> list[str]:
    with duckdb.connect(str(database)) as connection:
        tables = connection.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
        values: list[str] = []
        for schema, table in tables:
            columns = [
                row[0]
                for row in connection.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            ]
            for column in columns:
                values += [
                    row[0]
                    for row in connection.sql(
                        f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" '
                        f'where "{column}" is not null'
                    ).fetchall()
                ]
    return values


def test_the_key_is_in_no_table(llm_build) -> None:
    key, _, database, _, _ = llm_build
    values = _text_values(database)
    assert values
    assert not [value for value in values if key in value]
    assert key.encode() not in database.read_bytes()


def test_dbt_printed_nothing_with_the_key(llm_build) -> None:
    key, _, _, _, completed = llm_build
    assert "classified" in completed.stdout
    assert key not in completed.stdout
    assert key not in completed.stderr
