"""Build the package on its `snowflake` target against fakesnow, Snowflake emulated on DuckDB.

A CI check of the Snowflake SQL without a Snowflake account: fakesnow patches the
Snowflake connector in this process (patch mode, no server, no network) and keeps the
emulated warehouse in a temporary directory. The script

1. loads demo events (`ai_analytics.demo_data.generate`, spec v0.1) into
   AI_DB.RUDDERSTACK the way RudderStack's Snowflake destination lands them:
   UPPERCASE table and column names, TIMESTAMP_TZ, NUMBER, FLOAT, BOOLEAN, VARCHAR;
2. pre-creates the (empty) table of the Python model `int_prompt_intents_classified`,
   which needs Snowpark, and proves that its compiled Python parses (compile check);
3. runs `dbt seed`, then `dbt build` twice (every other model, every data test and
   unit test; the second run exercises incremental models), with
   AI_ANALYTICS_SNOWFLAKE_EMULATOR=1 for the overrides in macros/snowflake_emulator/;
4. prints a summary and exits non-zero on any failure, or with 124 on timeout.

    python scripts/snowflake_emulator_check.py [--events N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import faulthandler
import io
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATABASE = "AI_DB"
RAW_SCHEMA = "RUDDERSTACK"  # the package's default `rudderstack_schema`, as Snowflake stores it
PYTHON_MODEL = "int_prompt_intents_classified"
# The Python model's output columns (models/intermediate/int_prompt_intents_classified.py).
PYTHON_MODEL_COLUMNS = (
    ("prompt_event_id", "varchar"),
    ("intent", "varchar"),
    ("confidence", "float"),
    ("classifier", "varchar"),
    ("classifier_version", "varchar"),
    ("classification_status", "varchar"),
    ("is_invalid_label", "boolean"),
    ("llm_tokens", "float"),
    ("classified_at", "timestamp_ntz"),
)
# RudderStack's Snowflake column types for the demo data's declared types.
SNOWFLAKE_TYPES = {
    "varchar": "VARCHAR",
    "bigint": "NUMBER(38,0)",
    "double": "FLOAT",
    "boolean": "BOOLEAN",
    "timestamptz": "TIMESTAMP_TZ",
}
# Dummy credentials only: the patched connector never opens a network connection.
ENVIRONMENT = {
    "AI_ANALYTICS_TARGET": "snowflake",
    "AI_ANALYTICS_SNOWFLAKE_EMULATOR": "1",
    "SNOWFLAKE_ACCOUNT": "fakesnow",
    "SNOWFLAKE_USER": "fake",
    "SNOWFLAKE_PASSWORD": "fake",
    "SNOWFLAKE_ROLE": "FAKE_ROLE",
    "SNOWFLAKE_WAREHOUSE": "FAKE_WH",
    "SNOWFLAKE_DATABASE": DATABASE,
    "SNOWFLAKE_SCHEMA": "AI_ANALYTICS",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}
PASSED = {"success", "pass"}


class CheckFailed(Exception):
    """A step failed; the message says which."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5_000, help="demo events (default 5000)")
    parser.add_argument("--seed", type=int, default=7, help="demo data seed (default 7)")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the emulated warehouse, dbt's target/ and logs/ in DIR (new or empty)",
    )
    parser.add_argument(
        "--timeout", type=float, default=840, help="seconds before giving up (default 840)"
    )
    parser.add_argument("--verbose", action="store_true", help="show dbt's full log output")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be positive")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the directory is not empty")

    _start_watchdog(args.timeout)
    _quiet_emulator()
    _fill_emulator_gaps()
    os.environ.update(ENVIRONMENT)
    started = time.perf_counter()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work_dir = args.keep.resolve()
    else:
        work_dir = Path(tempfile.mkdtemp(prefix="snowflake_emulator_"))
    outcome = _run(work_dir, args)
    kept = work_dir if args.keep or outcome["error"] else None
    if not kept:
        shutil.rmtree(work_dir, ignore_errors=True)
    seconds = time.perf_counter() - started
    return _report(outcome, seconds, kept)


def _run(work_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every step, in order; stops at the first failure."""
    import fakesnow

    outcome: dict[str, Any] = {"steps": [], "counts": Counter(), "error": None}
    warehouse = work_dir / "warehouse"
    warehouse.mkdir(parents=True, exist_ok=True)
    try:
        with fakesnow.patch(db_path=warehouse):
            clock = time.perf_counter()

            def step(text: str) -> None:
                nonlocal clock
                now = time.perf_counter()
                outcome["steps"].append(f"{text} ({now - clock:.0f} s)")
                clock = now

            rows, tables = _load_raw_tables(args.events, args.seed)
            step(f"load     {rows:,} raw rows in {tables} tables")

            node = _python_model_node(work_dir, args.verbose)
            _create_python_model_table(node)
            lines = _compile_check(work_dir, args.verbose)
            step(
                f"compile  {PYTHON_MODEL}: valid Python ({lines} lines), "
                f"table pre-created as {node.relation_name}"
            )

            seeded = _dbt(["seed"], work_dir, args.verbose, outcome["counts"])
            step(f"seed     {seeded['seed']} seeds")
            for run in (1, 2):
                command = ["build", "--exclude", PYTHON_MODEL]
                built = _dbt(command, work_dir, args.verbose, outcome["counts"])
                step(
                    f"build {run}  {built['model']} models, {built['test']} data tests, "
                    f"{built['unit_test']} unit tests passed"
                )
    except CheckFailed as error:
        outcome["error"] = str(error)
    except Exception as error:  # the emulator's own failures, reported like dbt's
        traceback.print_exc()
        outcome["error"] = f"{type(error).__name__}: {error}"
    return outcome


def _load_raw_tables(events: int, seed: int) -> tuple[int, int]:
    """Demo events in AI_DB.RUDDERSTACK, named and typed as on Snowflake; (rows, tables)."""
    import snowflake.connector
    from snowflake.connector.pandas_tools import write_pandas

    from ai_analytics.demo_data import COLUMN_TYPES, generate

    frames = generate(events=events, seed=seed)
    rows = 0
    connection = snowflake.connector.connect(database=DATABASE, schema=RAW_SCHEMA)
    try:
        cursor = connection.cursor()
        cursor.execute(f"create database if not exists {DATABASE}")
        cursor.execute(f"create schema if not exists {DATABASE}.{RAW_SCHEMA}")
        # dbt's threads connect at once, and fakesnow's create-schema-on-connect is not
        # atomic: the target schema must exist before dbt runs.
        cursor.execute(f"create schema if not exists {DATABASE}.{ENVIRONMENT['SNOWFLAKE_SCHEMA']}")
        for name, frame in frames.items():
            declared = COLUMN_TYPES.get(name, {})
            columns = ", ".join(
                f'"{column.upper()}" {_snowflake_type(declared.get(column), frame[column].dtype)}'
                for column in frame.columns
            )
            table = name.upper()
            cursor.execute(f'create or replace table {DATABASE}.{RAW_SCHEMA}."{table}" ({columns})')
            upper = frame.rename(columns=str.upper)
            write_pandas(connection, upper, table, database=DATABASE, schema=RAW_SCHEMA)
            loaded = cursor.execute(
                f'select count(*) from {DATABASE}.{RAW_SCHEMA}."{table}"'
            ).fetchone()[0]
            if loaded != len(frame):
                raise CheckFailed(f"load: {table} holds {loaded} rows, not {len(frame)}")
            rows += loaded
    finally:
        connection.close()
    return rows, len(frames)


def _snowflake_type(declared: str | None, dtype: Any) -> str:
    """The column type RudderStack's Snowflake destination would give this column."""
    if declared:
        return SNOWFLAKE_TYPES[declared]
    kind = str(dtype).lower()
    if "datetime" in kind:
        return "TIMESTAMP_TZ"
    if kind.startswith(("int", "uint")):
        return "NUMBER(38,0)"
    if kind.startswith("float"):
        return "FLOAT"
    if kind.startswith("bool"):
        return "BOOLEAN"
    return "VARCHAR"


def _python_model_node(work_dir: Path, verbose: bool) -> Any:
    """The Python model's manifest node: where dbt puts it on this target."""
    result = _invoke(["parse"], work_dir, verbose)
    for node in result.result.nodes.values():
        if node.resource_type == "model" and node.name == PYTHON_MODEL:
            return node
    raise CheckFailed(f"parse: no model named {PYTHON_MODEL}")


def _create_python_model_table(node: Any) -> None:
    """The Python model's table, empty, where the models downstream of it look for it."""
    import snowflake.connector

    columns = ", ".join(f"{name} {kind}" for name, kind in PYTHON_MODEL_COLUMNS)
    connection = snowflake.connector.connect(database=node.database)
    try:
        cursor = connection.cursor()
        cursor.execute(f"create schema if not exists {node.database}.{node.schema}")
        cursor.execute(f"create or replace table {node.relation_name} ({columns})")
    finally:
        connection.close()


def _compile_check(work_dir: Path, verbose: bool) -> int:
    """Compile the Python model for Snowflake and parse it; the number of lines."""
    printed = io.StringIO()  # `dbt compile --select` prints the code even when quiet
    with contextlib.redirect_stdout(sys.stdout if verbose else printed):
        result = _invoke(["compile", "--select", PYTHON_MODEL], work_dir, verbose)
    nodes = [r.node for r in result.result.results if r.node.name == PYTHON_MODEL]
    if not nodes or not nodes[0].compiled_code:
        raise CheckFailed(f"compile: {PYTHON_MODEL} produced no code")
    code = nodes[0].compiled_code
    try:
        tree = ast.parse(code, filename=f"{PYTHON_MODEL}.py (compiled)")
    except SyntaxError as error:
        raise CheckFailed(f"compile: {PYTHON_MODEL} is not valid Python: {error}") from error
    models = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and node.name == "model"
        and [a.arg for a in node.args.args] == ["dbt", "session"]
    ]
    if not models:
        raise CheckFailed(f"compile: {PYTHON_MODEL} defines no model(dbt, session)")
    return len(code.splitlines())


def _dbt(command: list[str], work_dir: Path, verbose: bool, totals: Counter) -> Counter:
    """Run one dbt command; passed results per resource type (added to totals too)."""
    result = _invoke(command, work_dir, verbose)
    results = getattr(result.result, "results", None) or []
    passed: Counter = Counter()
    failures = []
    skipped = 0
    for item in results:
        kind = str(item.node.resource_type)
        status = str(item.status)
        if status in PASSED:
            passed[kind] += 1
        elif status == "skipped":
            skipped += 1
        else:
            failures.append(f"  {kind} {item.node.name}: {status}: {item.message}")
    totals.update(passed)
    if failures or skipped or not results:
        detail = "\n".join(failures) or "  nothing ran"
        raise CheckFailed(
            f"dbt {' '.join(command)}: {len(failures)} failed, {skipped} skipped\n{detail}"
        )
    return passed


def _invoke(command: list[str], work_dir: Path, verbose: bool) -> Any:
    from dbt.cli.main import dbtRunner

    args = [
        *command,
        "--project-dir",
        str(ROOT),
        "--profiles-dir",
        str(ROOT),
        "--target",
        "snowflake",
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if not verbose:
        args.append("--quiet")
    result = dbtRunner().invoke(args)
    # build and seed report failed nodes in their results (see _dbt); the rest must succeed.
    if result.exception is not None or (not result.success and command[0] in ("parse", "compile")):
        raise CheckFailed(f"dbt {' '.join(command)} failed: {result.exception}")
    return result


def _report(outcome: dict[str, Any], seconds: float, kept: Path | None) -> int:
    counts = outcome["counts"]
    models = counts["model"]
    tests = counts["test"] + counts["unit_test"]
    status = "FAILED" if outcome["error"] else "passed"
    print(
        f"Snowflake emulator check (fakesnow {version('fakesnow')}, "
        f"dbt-snowflake {version('dbt-snowflake')}): {status} in {seconds:.1f} s"
    )
    for step in outcome["steps"]:
        print(f"  {step}")
    if outcome["error"]:
        print(f"  {outcome['error']}")
    if kept:
        print(f"  kept in {kept} (warehouse/ for fakesnow's db_path, target/, logs/dbt.log)")
    print(
        f"SUMMARY status={status} models_passed={models} tests_passed={tests} "
        f"seeds_passed={counts['seed']} seconds={seconds:.1f}",
        flush=True,
    )
    return 1 if outcome["error"] else 0


def _fill_emulator_gaps() -> None:
    """Teach fakesnow 0.12 three things real Snowflake does, so it runs the package's SQL as is.

    Each wraps one of fakesnow's statement transforms (looked up by name at every
    statement) and leaves everything else to it:
    - TO_NUMBER(text, 'XXXXXXXX'), the hexadecimal format `snowflake__sample_bucket`
      uses: fakesnow raises NotImplementedError for any format;
    - MERGE ... WHEN NOT MATCHED THEN INSERT (...) VALUES ("COL", ...), dbt-snowflake's
      merge strategy: Snowflake reads unqualified columns there from the source (the
      target has no row); fakesnow copies them into a join of both, where DuckDB finds
      them ambiguous, so they are qualified with the source's alias first;
    - the temporary table fakesnow's MERGE works in: fakesnow records its (absent)
      comment in its global catalog, a second DuckDB database, which DuckDB refuses
      inside dbt's `begin ... commit` once the target's database was written to.
    """
    import fakesnow.transforms as transforms
    from sqlglot import exp

    if getattr(transforms, "_ai_analytics_gaps_filled", False):
        return
    to_decimal = transforms.to_decimal
    merge = transforms.merge
    extract_comment_on_table = transforms.extract_comment_on_table

    def hex_to_decimal(expression: Any) -> Any:
        if isinstance(expression, exp.ToNumber):
            form = expression.args.get("format")
            if form is not None and form.is_string and re.fullmatch("[Xx]+", form.name):
                precision = expression.args.get("precision") or exp.Literal.number(38)
                scale = expression.args.get("scale") or exp.Literal.number(0)
                number = exp.DataType.build(f"DECIMAL({precision.name}, {scale.name})")
                cast = exp.TryCast if expression.args.get("safe") else exp.Cast
                hex_literal = exp.DPipe(this=exp.Literal.string("0x"), expression=expression.this)
                unsigned = exp.DataType.build("UHUGEINT", dialect="duckdb")
                return cast(this=cast(this=hex_literal, to=unsigned), to=number)
        return to_decimal(expression)

    def merge_with_source_values(expression: Any) -> Any:
        if isinstance(expression, exp.Merge):
            source = expression.args["using"].alias_or_name
            for when in expression.args["whens"]:
                then = when.args.get("then")
                if not when.args.get("matched") and isinstance(then, exp.Insert):
                    for column in then.expression.find_all(exp.Column):
                        if not column.table:
                            column.set("table", exp.to_identifier(source))
        return merge(expression)

    def no_comment_for_temporary(expression: Any) -> Any:
        result = extract_comment_on_table(expression)
        recorded = result.args.get("table_comment")
        if recorded and recorded[1] is None and result.find(exp.TemporaryProperty):
            del result.args["table_comment"]
        return result

    transforms.to_decimal = hex_to_decimal
    transforms.merge = merge_with_source_values
    transforms.extract_comment_on_table = no_comment_for_temporary
    transforms._ai_analytics_gaps_filled = True


def _quiet_emulator() -> None:
    """Silence the emulator's own chatter, which is not about the package's SQL."""
    warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _start_watchdog(seconds: float) -> None:
    """Exit 124 (like `timeout`) with every thread's traceback if the run hangs."""

    def expire() -> None:
        print(f"Snowflake emulator check: timed out after {seconds:.0f} s", file=sys.stderr)
        faulthandler.dump_traceback(file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(124)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


if __name__ == "__main__":
    sys.exit(main())
