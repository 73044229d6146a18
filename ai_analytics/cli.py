"""The `ai-analytics` command line.

One argparse subparser per command, each with its own `run` function, so new
commands (classify-eval, redact, ...) are added without touching the others.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ai_analytics import __version__
from ai_analytics.dashboard import register as add_dashboard
from python_udfs.classify_eval import register as add_classify_eval
from python_udfs.redaction_cli import register as add_redact


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the chosen command; returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="ai-analytics", description="AI product analytics on RudderStack events."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo_data(commands)
    _add_summary(commands)
    add_redact(commands)
    add_classify_eval(commands)
    add_dashboard(commands)
    return parser


def _positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _rate(text: str) -> float:
    """argparse type: a share between 0 and 1."""
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _iso_date(text: str) -> str:
    """argparse type: a YYYY-MM-DD date, kept as text for `generate`."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text}") from err


def _add_demo_data(commands: argparse._SubParsersAction) -> None:
    """Register `demo-data`."""
    parser = commands.add_parser(
        "demo-data",
        help="write RudderStack-shaped synthetic events to DuckDB or Parquet",
        description=(
            "Synthetic AI-product events shaped like RudderStack's warehouse tables, "
            "with its delivery quirks (duplicates, odd casing, discards, late events), "
            "in the AI events spec v0.1 (instrumented by hand), v0.3 (RudderStack's AI "
            "SDKs) or both in the same tables (mixed: sessions starting in the first half "
            "of the date range are v0.1, later ones v0.3). A PATH ending in .duckdb is a "
            "DuckDB file; any "
            "other PATH is a directory that receives one <table>.parquet per table."
        ),
    )
    parser.add_argument(
        "--events",
        type=_positive_int,
        default=100_000,
        help="approximate total rows of the event tables (default: 100000)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("target/demo.duckdb"),
        help="DuckDB file (*.duckdb) or Parquet directory (default: target/demo.duckdb)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument(
        "--schema", default="rudderstack", help="DuckDB schema (default: rudderstack)"
    )
    parser.add_argument(
        "--start-date",
        type=_iso_date,
        default="2026-10-01",
        help="first UTC day of activity (default: 2026-10-01)",
    )
    parser.add_argument(
        "--days", type=_positive_int, default=28, help="days of activity (default: 28)"
    )
    parser.add_argument(
        "--spec",
        choices=("v0.1", "v0.3", "mixed"),
        default="v0.1",
        help="spec generation of the events: v0.1, v0.3 or mixed (default: v0.1)",
    )
    parser.add_argument(
        "--prompt-intent-rate",
        type=_rate,
        default=None,
        help=(
            "share of prompts (0-1) that carry a valid intent of their own "
            "(default: 0.5; 1 leaves the batch classifier nothing to do)"
        ),
    )
    parser.set_defaults(run=_run_demo_data)


def _run_demo_data(args: argparse.Namespace) -> int:
    """Generate the tables, write them, and report rows and seconds."""
    from ai_analytics.demo_data import generate, write_duckdb, write_parquet

    started = time.perf_counter()
    behaviour = None
    if args.prompt_intent_rate is not None:
        from ai_analytics.demo_data import Behaviour

        rate = args.prompt_intent_rate
        behaviour = Behaviour(
            prompt_intent_rate=rate,
            prompt_off_taxonomy_rate=min(Behaviour.prompt_off_taxonomy_rate, 1.0 - rate),
        )
    tables = generate(
        args.events,
        seed=args.seed,
        start_date=args.start_date,
        days=args.days,
        spec=args.spec,
        behaviour=behaviour,
    )
    rows = sum(len(frame) for frame in tables.values())
    print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
    out: Path = args.out

    def report(name: str, rows: int) -> None:
        print(f"  wrote {name:<26} {rows:>12,} rows")

    if out.suffix == ".duckdb":
        write_duckdb(tables, out, schema=args.schema, on_table=report)
        where = f"{out} (schema {args.schema})"
    else:
        write_parquet(tables, out, on_table=report)
        where = f"{out}/"
    counts = ", ".join(f"{name} {len(frame):,}" for name, frame in tables.items())
    print(f"demo-data: {counts} -> {where} in {time.perf_counter() - started:.1f} s")
    return 0


def _add_summary(commands: argparse._SubParsersAction) -> None:
    """Register `summary`."""
    parser = commands.add_parser(
        "summary",
        help="print row counts and headline numbers of the built marts",
        description="Row counts of every mart and a few headline numbers, read from DuckDB.",
    )
    parser.add_argument(
        "--database", type=Path, required=True, help="the DuckDB file dbt built into"
    )
    parser.add_argument("--schema", default="main", help="schema of the marts (default: main)")
    parser.set_defaults(run=_run_summary)


def _run_summary(args: argparse.Namespace) -> int:
    from ai_analytics.database import DatabaseInUseError
    from ai_analytics.summary import summarize

    if not args.database.exists():
        print(f"summary: no database at {args.database}; run the build first")
        return 1
    try:
        print(summarize(args.database, args.schema))
    except DatabaseInUseError as error:
        print(f"summary: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
