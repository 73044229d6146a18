"""Scale benchmark: dbt on DuckDB against a hand-written floor, at 1M and 10M events.

For every size it generates demo data (`ai-analytics demo-data
--prompt-intent-rate 1`: every prompt carries its own intent, so dbt and the
floor do the same work), then times,
one subprocess per measurement (wall seconds; CPU seconds and peak RSS from
`os.wait4`):

- `full build` / `full run`: `dbt build` / `dbt run` on a fresh copy of the
  raw data (before `dbt run`, an untimed `dbt seed` loads the seeds);
- `incremental run` / `incremental build`: after a full build, 1% new events
  are appended (a batch from the generator with another seed, over the last
  week of the range, loaded after everything already there, so many are days
  late) plus ~0.1% redeliveries of existing ids with later load times; then
  `dbt run` / `dbt build`. `no-op run` / `no-op build` are the same commands
  with nothing new;
- `floor`: benchmarks/floor.sql, the six contract marts written by hand in one
  DuckDB script, run with the duckdb module on a fresh copy;
- `classifier only`: on default demo data (about half the prompts carry no
  intent), `dbt run --select int_prompt_intents_classified` after an untimed
  `dbt seed` and `dbt run --exclude int_prompt_intents_classified+`.

It prints a table and writes benchmarks/results.md. With --check-floor it first
builds a small data set with dbt (`intent_sample_pct: 0`, so no prompt goes to
the batch classifier, whose labels the floor does not have) and checks the
floor's six marts against dbt's, column by column; dbt is the reference.

The script knows the project only through dbt commands and mart names.

    .venv/bin/python scripts/benchmark.py --sizes 1000000 --repeat 1 --check-floor
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FLOOR_SQL = ROOT / "benchmarks" / "floor.sql"
RESULTS = ROOT / "benchmarks" / "results.md"
EVENT_TABLES = ("ai_user_prompt_created", "ai_llm_response_received", "ai_user_action")
RAW_SCHEMA = "rudderstack"
CLASSIFIER_MODEL = "int_prompt_intents_classified"
# Share of prompts that carry their own valid intent in the data of every
# measurement but `classifier only`: the floor has no batch classifier, so the
# comparison uses prompts that need none (the classifier is measured apart).
LABELLED = 1.0
FLOOR_RUNNER = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
    "con.execute(open(sys.argv[2]).read()); con.close()"
)
MEASUREMENTS = (
    "full build",
    "full run",
    "floor",
    "no-op run",
    "incremental run",
    "no-op build",
    "incremental build",
    "classifier only",
)
# Measurements whose five slowest models (dbt's run_results.json) the report lists.
SLOWEST_OF = ("full build", "incremental run")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CLASSIFIED = re.compile(r"classified ([\d,]+) of ([\d,]+) prompts \(([\d,.]+) prompts/s")
DONE = re.compile(r"Done\. (PASS=\d+ WARN=\d+ ERROR=\d+ SKIP=\d+.*)")
FINISHED = re.compile(r"Finished running .* in [^(]*\(([\d.]+)s\)")


@dataclass
class Run:
    """One timed subprocess."""

    command: list[str]
    seconds: float
    peak_rss_mib: float
    returncode: int
    log: Path
    note: str = ""
    dbt_seconds: float | None = None
    # User + system CPU seconds of the process and its children: less sensitive
    # than wall time to other work on a shared machine.
    cpu_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Row:
    """All repeats of one measurement at one size."""

    size: int
    name: str
    runs: list[Run] = field(default_factory=list)
    extra: str = ""

    def median(self, attr: str) -> float | None:
        values = [getattr(run, attr) for run in self.runs if run.ok]
        return statistics.median(values) if values else None

    @property
    def status(self) -> str:
        failed = [run for run in self.runs if not run.ok]
        if not failed:
            return "ok"
        return "; ".join(f"rc={run.returncode} {run.note}".strip() for run in failed)


# --------------------------------------------------------------------------- running


def timed(command: list[str], env: dict, log: Path, timeout: float) -> Run:
    """Run one command in its own process group; wall time and peak RSS from wait4."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # The database copy just made is still being written back to disk: flush it
    # first, or the measured run competes with that write-back.
    os.sync()
    with log.open("wb") as out:
        out.write(("$ " + " ".join(command) + "\n").encode())
        out.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            _kill_group(proc.pid)
            proc.wait()
            raise
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    note, dbt_seconds = _dbt_summary(log)
    if proc.returncode == -signal.SIGKILL and seconds >= timeout:
        note = f"timeout after {timeout:.0f} s"
    # Linux reports ru_maxrss in KiB: the largest of the process and its waited-for children.
    cpu = usage.ru_utime + usage.ru_stime
    return Run(
        command, seconds, usage.ru_maxrss / 1024, proc.returncode, log, note, dbt_seconds, cpu
    )


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _dbt_summary(log: Path) -> tuple[str, float | None]:
    """dbt's final counts line, and the time dbt itself reports (after parsing)."""
    text = ANSI.sub("", log.read_text(errors="replace"))
    done = DONE.findall(text)
    finished = FINISHED.findall(text)
    return (done[-1] if done else "", float(finished[-1]) if finished else None)


def untimed(command: list[str], env: dict, log: Path, timeout: float) -> Run:
    run = timed(command, env, log, timeout)
    if not run.ok:
        print(f"    (setup step failed: {' '.join(command)}; see {log})", flush=True)
    return run


# --------------------------------------------------------------------------- data


def generate(events: int, out: Path, seed: int, logs: Path, timeout: float, **extra) -> Run:
    command = [str(BIN / "ai-analytics"), "demo-data", "--events", str(events), "--out", str(out)]
    command += ["--seed", str(seed)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    if out.exists():
        out.unlink()
    run = timed(command, dict(os.environ), logs / f"generate_{out.stem}.log", timeout)
    if not run.ok:
        raise SystemExit(f"demo-data failed, see {run.log}")
    return run


def prepare_delta(
    raw: Path, delta: Path, events: int, seed: int, logs: Path, timeout: float
) -> str:
    """1% new events loaded after the existing data (many late), plus ~0.1% redeliveries."""
    import duckdb

    loads = " union all ".join(
        f"select received_at, uuid_ts from {RAW_SCHEMA}.{t}" for t in EVENT_TABLES
    )
    with duckdb.connect(str(raw), read_only=True) as con:
        received_max, loaded_max = con.execute(
            f"select max(received_at), max(uuid_ts) from ({loads})"
        ).fetchone()
    load_at = max(received_max, loaded_max) + dt.timedelta(minutes=1)
    # The week before the load day: the last day's events arrive within hours, older ones days late.
    fresh = delta.with_name(delta.stem + "_generated.duckdb")
    generate(
        max(events // 100, 1000),
        fresh,
        seed + 1,
        logs,
        timeout,
        start_date=(load_at.date() - dt.timedelta(days=7)).isoformat(),
        days=7,
        prompt_intent_rate=LABELLED,
    )
    if delta.exists():
        delta.unlink()
    with duckdb.connect(str(delta)) as con:
        con.execute(f"attach '{raw}' as raw (read_only)")
        con.execute(f"attach '{fresh}' as fresh (read_only)")
        con.execute(f"create schema {RAW_SCHEMA}")
        con.execute("select setseed(0.42)")
        # The new batch: its own load-time order, squeezed into the hour after the
        # existing data; event timestamps unchanged, so older events arrive late.
        spans = " union all ".join(
            f"select min(received_at) as lo, max(received_at) as hi from fresh.{RAW_SCHEMA}.{t}"
            for t in (*EVENT_TABLES, "rudder_discards")
        )
        lo, hi = con.execute(f"select min(lo), max(hi) from ({spans})").fetchone()
        span_us = max((hi - lo).total_seconds() * 1e6, 1.0)
        shift = (
            f"timestamptz '{load_at.isoformat()}' + to_microseconds(cast("
            f"(epoch_us(received_at) - epoch_us(timestamptz '{lo.isoformat()}'))"
            f" * 3600e6 / {span_us} as bigint))"
        )
        for table in (*EVENT_TABLES, "rudder_discards"):
            con.execute(
                f"""
                create table {RAW_SCHEMA}.{table} as
                select * replace (
                    {shift} as received_at,
                    {shift} + (uuid_ts - received_at) as uuid_ts
                )
                from fresh.{RAW_SCHEMA}.{table}
                """
            )
        # Redeliveries: ~0.1% of the existing rows again, loaded in the same hour,
        # with the values the loader had discarded for them discarded again.
        for table in EVENT_TABLES:
            con.execute(
                f"""
                create temp table redelivered_{table} as
                select * replace (
                    timestamptz '{load_at.isoformat()}'
                        + to_microseconds(cast(random() * 3600e6 as bigint)) as received_at,
                    timestamptz '{load_at.isoformat()}' as uuid_ts
                ),
                from raw.{RAW_SCHEMA}.{table}
                using sample bernoulli(0.1 percent) repeatable (7)
                """
            )
            con.execute(
                f"""
                update redelivered_{table}
                set uuid_ts = received_at + to_microseconds(cast(random() * 600e6 as bigint))
                """
            )
            con.execute(
                f"""
                insert into {RAW_SCHEMA}.rudder_discards by name
                select distinct on (r.id, d.column_name)
                    d.* replace (r.received_at as received_at, r.uuid_ts as uuid_ts)
                from raw.{RAW_SCHEMA}.rudder_discards as d
                inner join redelivered_{table} as r
                    on d.table_name = '{table}' and d.row_id = r.id
                """
            )
            con.execute(
                f"""
                insert into {RAW_SCHEMA}.{table} by name
                select * from redelivered_{table}
                """
            )
        counts = con.execute(
            " union all ".join(
                f"""
                select
                    '{t}' as t,
                    count(*) filter (where not is_old) as new_rows,
                    count(*) filter (
                        where not is_old and received_at - "timestamp" > interval 1 day
                    ) as late_rows,
                    count(*) filter (where is_old) as redelivered
                from (
                    select
                        *,
                        id in (select id from raw.{RAW_SCHEMA}.{t} where id is not null) as is_old
                    from {RAW_SCHEMA}.{t}
                )
                """
                for t in EVENT_TABLES
            )
        ).fetchall()
        discards = con.execute(f"select count(*) from {RAW_SCHEMA}.rudder_discards").fetchone()[0]
    fresh.unlink()
    new = sum(row[1] for row in counts)
    late = sum(row[2] for row in counts)
    again = sum(row[3] for row in counts)
    return (
        f"{new:,} new event rows ({late:,} loaded more than a day after their timestamp), "
        f"{again:,} redeliveries of existing ids, {discards:,} rudder_discards rows"
    )


def apply_delta(work: Path, delta: Path) -> None:
    import duckdb

    with duckdb.connect(str(work)) as con:
        con.execute(f"attach '{delta}' as delta (read_only)")
        for table in (*EVENT_TABLES, "rudder_discards"):
            con.execute(
                f"insert into {RAW_SCHEMA}.{table} by name select * from delta.{RAW_SCHEMA}.{table}"
            )


def fresh_copy(source: Path, work: Path) -> None:
    for path in (work, work.with_name(work.name + ".wal")):
        if path.exists():
            path.unlink()
    shutil.copyfile(source, work)


# --------------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.workdir = workdir
        self.logs = workdir / "logs"
        # One database path for every measurement: dbt's partial parsing stays valid.
        self.work = workdir / "bench.duckdb"
        self.env = dict(os.environ)
        self.env.update(
            DBT_PROFILES_DIR=str(ROOT),
            AI_ANALYTICS_DUCKDB_PATH=str(self.work),
            # dbt's artefacts and logs away from the project's own target/.
            DBT_TARGET_PATH=str(workdir / "target"),
            DBT_LOG_PATH=str(workdir / "dbt_logs"),
            DBT_USE_COLORS="false",
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        )
        self.rows: list[Row] = []
        # (size, measurement) -> the five slowest models of the last repeat.
        self.slowest: dict[tuple[int, str], list[tuple[str, float]]] = {}
        self.notes: dict[int, list[str]] = {}
        self.check: list[str] = []
        self.step = 0
        self.load_before = _load()

    def dbt(self, *arguments: str) -> list[str]:
        return [str(BIN / "dbt"), *arguments]

    def floor(self) -> list[str]:
        return [sys.executable, "-c", FLOOR_RUNNER, str(self.work), str(FLOOR_SQL)]

    def log(self, size: int, name: str) -> Path:
        self.step += 1
        return self.logs / f"{self.step:03d}_{size}_{name.replace(' ', '_').replace('/', '_')}.log"

    def setup(self, size: int, name: str, command: list[str]) -> Run:
        return untimed(command, self.env, self.log(size, name), self.args.timeout)

    def measure(self, row: Row, command: list[str]) -> Run:
        results = self.workdir / "target" / "run_results.json"
        if results.exists():
            results.unlink()
        run = timed(command, self.env, self.log(row.size, row.name), self.args.timeout)
        row.runs.append(run)
        if row.name in SLOWEST_OF:
            self.slowest[(row.size, row.name)] = _slowest_models(results)
        status = "" if run.ok else f"  FAILED rc={run.returncode} {run.note} (log {run.log})"
        inner = "" if run.dbt_seconds is None else f" (dbt reports {run.dbt_seconds:.1f} s)"
        print(
            f"  {row.size:>11,}  {row.name:<18} {run.seconds:9.1f} s"
            f" {run.cpu_seconds:9.1f} CPU s {run.peak_rss_mib:9.0f} MiB{inner}{status}",
            flush=True,
        )
        return run

    # -------------------------------------------------------------- one size

    def run_size(self, size: int) -> None:
        raw = self.workdir / f"raw_{size}.duckdb"
        delta = self.workdir / f"delta_{size}.duckdb"
        built = self.workdir / f"built_{size}.duckdb"
        wanted = self.args.measurements
        notes = self.notes.setdefault(size, [])

        print(f"\n== {size:,} events", flush=True)
        gen = generate(
            size, raw, self.args.seed, self.logs, self.args.timeout, prompt_intent_rate=LABELLED
        )
        rows = Row(size, "generate demo data", [gen])
        self.rows.append(rows)
        print(f"  {size:>11,}  {'generate demo data':<18} {gen.seconds:9.1f} s", flush=True)
        notes.append(f"raw data: {_raw_counts(raw)}")
        incremental = {"no-op run", "incremental run", "no-op build", "incremental build"}
        incremental &= set(wanted)
        if incremental:
            batch = prepare_delta(raw, delta, size, self.args.seed, self.logs, self.args.timeout)
            notes.append("incremental batch: " + batch)

        table = {name: Row(size, name) for name in MEASUREMENTS if name in wanted}
        self.rows.extend(table.values())
        for _ in range(self.args.repeat):
            state = None
            if "full build" in table:
                fresh_copy(raw, self.work)
                if self.measure(table["full build"], self.dbt("build")).ok:
                    shutil.copyfile(self.work, built)
                    state = built
            if "full run" in table or (incremental and state is None):
                fresh_copy(raw, self.work)
                self.setup(size, "seed", self.dbt("seed"))
                if "full run" in table:
                    ok = self.measure(table["full run"], self.dbt("run")).ok
                else:
                    ok = self.setup(size, "run for state", self.dbt("run")).ok
                if ok and state is None:
                    shutil.copyfile(self.work, built)
                    state = built
            if "floor" in table:
                fresh_copy(raw, self.work)
                self.measure(table["floor"], self.floor())
            for command in ("run", "build"):
                for name, with_delta in (
                    (f"no-op {command}", False),
                    (f"incremental {command}", True),
                ):
                    if name not in table:
                        continue
                    if state is None:
                        print(f"  {size:>11,}  {name:<18} skipped: no built state", flush=True)
                        continue
                    fresh_copy(state, self.work)
                    if with_delta:
                        apply_delta(self.work, delta)
                    self.measure(table[name], self.dbt(command))
            if "classifier only" in table:
                # Demo data as generated by default: about half the prompts carry no intent.
                unlabelled = self.workdir / f"raw_unlabelled_{size}.duckdb"
                if not unlabelled.exists():
                    generate(size, unlabelled, self.args.seed, self.logs, self.args.timeout)
                fresh_copy(unlabelled, self.work)
                self.setup(size, "seed", self.dbt("seed"))
                self.setup(size, "upstream", self.dbt("run", "--exclude", f"{CLASSIFIER_MODEL}+"))
                run = self.measure(
                    table["classifier only"], self.dbt("run", "--select", CLASSIFIER_MODEL)
                )
                text = run.log.read_text(errors="replace")
                found = CLASSIFIED.findall(text)
                if found:
                    done, total, rate = found[-1]
                    n = int(done.replace(",", ""))
                    table["classifier only"].extra = (
                        f"classified {done} of {total} prompts, {rate} prompts/s in the model's "
                        f"loop, {n / run.seconds:,.0f} prompts/s over the whole dbt command"
                    )
                elif "no prompt to classify" in text:
                    table["classifier only"].extra = "no prompt to classify"
        unlabelled = self.workdir / f"raw_unlabelled_{size}.duckdb"
        for path in (raw, delta, built, self.work, unlabelled):
            if not self.args.keep and path.exists():
                path.unlink()

    # -------------------------------------------------------------- floor check

    def check_floor(self, events: int) -> None:
        import duckdb

        print(f"\n== floor check on {events:,} events", flush=True)
        raw = self.workdir / f"raw_check_{events}.duckdb"
        generate(events, raw, self.args.seed, self.logs, self.args.timeout)
        fresh_copy(raw, self.work)
        vars_ = "{intent_sample_pct: 0}"
        for name, command in (
            ("seed", self.dbt("seed")),
            ("run", self.dbt("run", "--vars", vars_)),
            ("floor", self.floor()),
        ):
            if not self.setup(events, f"check {name}", command).ok:
                self.check.append(f"could not run the check: `{' '.join(command)}` failed")
                return
        with duckdb.connect(str(self.work), read_only=True) as con:
            for mart, keys, columns in FLOOR_CHECKS:
                self.check.append(_compare(con, mart, keys, columns))
        for line in self.check:
            print("  " + line, flush=True)
        if not self.args.keep:
            raw.unlink()


# The six marts, their keys, and every column the floor computes.
FLOOR_CHECKS = (
    (
        "ai_cost_daily",
        ("date_day", "model_used"),
        (
            "responses",
            "conversations",
            "total_cost_usd",
            "derived_cost_usd",
            "responses_with_derived_cost",
            "responses_without_cost",
            "prompt_tokens",
            "completion_tokens",
            "total_tokens",
            "cost_per_conversation_usd",
        ),
    ),
    (
        "ai_latency_by_intent",
        ("intent",),
        (
            "responses",
            "avg_latency_ms",
            "p50_latency_ms",
            "p95_latency_ms",
            "p99_latency_ms",
            "min_latency_ms",
            "max_latency_ms",
        ),
    ),
    (
        "ai_satisfaction_by_intent",
        ("intent",),
        (
            "actions",
            "feedback_events",
            "ratings",
            "avg_rating",
            "thumbs",
            "thumbs_up",
            "thumbs_up_rate",
            "regenerations",
            "copies",
            "shares",
            "reports",
        ),
    ),
    (
        "ai_engagement_by_user",
        ("user_key",),
        (
            "conversations",
            "prompts",
            "avg_prompts_per_conversation",
            "active_days",
            "responses",
            "total_cost_usd",
            "first_prompt_at",
            "last_prompt_at",
        ),
    ),
    (
        "ai_engagement_daily",
        ("date_day",),
        ("active_users", "conversations", "prompts", "responses"),
    ),
    ("ai_intent_distribution", ("intent",), ("prompts", "pct_of_prompts")),
)


def _compare(con, mart: str, keys: tuple[str, ...], columns: tuple[str, ...]) -> str:
    """Rows of the floor's mart that differ from dbt's (dbt: the reference)."""
    # dbt ran with intent_sample_pct 0: its unlabelled prompts are `not_sampled`,
    # the floor's (which has no classifier) `unclassified`.
    relabel = "case when intent = 'not_sampled' then 'unclassified' else intent end as intent"
    dbt_side = (
        f"select * replace ({relabel}) from main.{mart}"
        if "intent" in keys
        else f"select * from main.{mart}"
    )
    on = " and ".join(f"d.{k} is not distinct from f.{k}" for k in keys)
    differs = " or ".join(
        f"not (d.{c} is not distinct from f.{c}"
        f" or abs(d.{c} - f.{c}) <= 1e-9 * greatest(1, abs(d.{c})))"
        if not c.endswith("_at")
        else f"d.{c} is distinct from f.{c}"
        for c in columns
    )
    missing = " and ".join(f"d.{k} is null" for k in keys)
    extra = " and ".join(f"f.{k} is null" for k in keys)
    query = f"""
        with d as ({dbt_side}), f as (select * from bench_floor.{mart})
        select
            count(*) as rows,
            count(*) filter (where {extra}) as missing_in_floor,
            count(*) filter (where {missing}) as extra_in_floor,
            count(*) filter (where not ({extra}) and not ({missing}) and ({differs})) as differing
        from d full outer join f on {on}
    """
    rows, missing_n, extra_n, differing = con.execute(query).fetchone()
    grouped = f"select {', '.join(keys)} from ({dbt_side}) group by all having count(*) > 1"
    dupes = con.execute(f"select count(*) from ({grouped})").fetchone()[0]
    if not (missing_n or extra_n or differing or dupes):
        return f"{mart}: {rows:,} rows, {len(columns)} columns: identical"
    sample = con.execute(
        f"""
        with d as ({dbt_side}), f as (select * from bench_floor.{mart})
        select {", ".join(f"coalesce(d.{k}, f.{k}) as {k}" for k in keys)},
            {", ".join(f"d.{c} as dbt_{c}, f.{c} as floor_{c}" for c in columns)}
        from d full outer join f on {on}
        where ({extra}) or ({missing}) or ({differs})
        limit 3
        """
    ).fetchall()
    return (
        f"{mart}: MISMATCH: {missing_n:,} rows missing in the floor, {extra_n:,} extra, "
        f"{differing:,} differing, {dupes:,} duplicated keys; e.g. {sample}"
    )


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f} (1/5 min)"


def _raw_counts(raw: Path) -> str:
    import duckdb

    with duckdb.connect(str(raw), read_only=True) as con:
        parts = [
            f"{t} {con.execute(f'select count(*) from {RAW_SCHEMA}.{t}').fetchone()[0]:,}"
            for t in (*EVENT_TABLES, "rudder_discards")
        ]
        size = raw.stat().st_size / 2**20
    return ", ".join(parts) + f" rows; {size:,.0f} MiB file"


def _slowest_models(run_results: Path, top: int = 5) -> list[tuple[str, float]]:
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text())["results"]
    models = [
        (r["unique_id"].split(".")[-1], float(r.get("execution_time") or 0))
        for r in results
        if r["unique_id"].startswith("model.")
    ]
    return sorted(models, key=lambda item: -item[1])[:top]


# --------------------------------------------------------------------------- report


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator in (None, 0):
        return "n/a"
    return f"{numerator / denominator:.2f}"


def ratios(rows: list[Row], size: int) -> list[tuple[str, str]]:
    wall = {row.name: row.median("seconds") for row in rows if row.size == size}

    def minus(a: str, b: str) -> float | None:
        if wall.get(a) is None or wall.get(b) is None:
            return None
        return wall[a] - wall[b]

    return [
        ("full run / floor", ratio(wall.get("full run"), wall.get("floor"))),
        ("full build / floor", ratio(wall.get("full build"), wall.get("floor"))),
        (
            "(incremental run - no-op run) / full build",
            ratio(minus("incremental run", "no-op run"), wall.get("full build")),
        ),
        (
            "(incremental build - no-op build) / full build",
            ratio(minus("incremental build", "no-op build"), wall.get("full build")),
        ),
        ("incremental run / full run", ratio(wall.get("incremental run"), wall.get("full run"))),
    ]


def table_lines(rows: list[Row]) -> list[str]:
    lines = [
        "| size (events) | measurement | wall s | dbt s | CPU s | peak RSS MiB | runs | status |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        seconds, rss = row.median("seconds"), row.median("peak_rss_mib")
        cpu = row.median("cpu_seconds") if all(r.cpu_seconds for r in row.runs) else None
        inner = row.median("dbt_seconds") if all(r.dbt_seconds for r in row.runs) else None
        spread = ""
        ok = [run.seconds for run in row.runs if run.ok]
        if len(ok) > 1:
            spread = f" ({min(ok):.1f}-{max(ok):.1f})"
        lines.append(
            f"| {row.size:,} | {row.name} | "
            f"{'n/a' if seconds is None else f'{seconds:.1f}'}{spread} | "
            f"{'' if inner is None else f'{inner:.1f}'} | "
            f"{'' if cpu is None else f'{cpu:.1f}'} | "
            f"{'n/a' if rss is None else f'{rss:,.0f}'} | {len(row.runs)} | {row.status} |"
        )
    return lines


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = "?"
    cpu = platform.processor() or "?"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
        memory = f"{kib / 2**20:.1f} GiB"
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else cpu
    except (OSError, AttributeError):
        pass
    return f"nproc {cores}, memory {memory}, {cpu}, {platform.system()} {platform.release()}"


def versions() -> str:
    parts = [f"Python {platform.python_version()}"]
    for package in ("dbt-core", "dbt-duckdb", "duckdb", "scikit-learn"):
        try:
            from importlib.metadata import version

            parts.append(f"{package} {version(package)}")
        except Exception:  # noqa: BLE001 - a missing package only leaves a gap in the report
            pass
    return ", ".join(parts)


def _git(*arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def git_revision() -> str:
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain")
        return head + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def write_results(bench: Bench, started: dt.datetime, argv: list[str], path: Path) -> str:
    rows = bench.rows
    sizes = sorted({row.size for row in rows})
    out = [
        "# Scale benchmark",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}; {versions()}; "
        f"project at {git_revision()}. Load average {bench.load_before} at the start, "
        f"{_load()} at the end: the machine is shared, other work ran at the same time, so "
        "treat differences under ~20% as noise"
        + (
            "; wall times are medians of the repeats (min-max in brackets)."
            if bench.args.repeat > 1
            else "."
        ),
        "",
        "Reproduce: `" + " ".join(["python scripts/benchmark.py", *argv]) + "` (`make bench`).",
        "",
        "## Results",
        "",
        *table_lines(rows),
        "",
        "## Ratios (wall time)",
        "",
        "| size (events) | ratio | value |",
        "|---:|---|---:|",
    ]
    for size in sizes:
        if size == 0:
            continue
        out += [f"| {size:,} | {name} | {value} |" for name, value in ratios(rows, size)]
    for size in sizes:
        out += ["", f"### {size:,} events", ""]
        out += [f"- {note}" for note in bench.notes.get(size, [])]
        for row in rows:
            if row.size == size and row.extra:
                out.append(f"- {row.name}: {row.extra}")
        for name in SLOWEST_OF:
            if bench.slowest.get((size, name)):
                models = bench.slowest[(size, name)]
                out.append(
                    f"- slowest models of the {name} (run_results.json execution_time): "
                    + ", ".join(f"`{model}` {seconds:.1f} s" for model, seconds in models)
                )
    if bench.check:
        out += [
            "",
            f"## Floor check ({bench.args.check_events:,} events, dbt's marts are the reference)",
            "",
            "dbt ran with `--vars '{intent_sample_pct: 0}'` so that no prompt goes to the batch "
            "classifier (the floor has none); dbt's `not_sampled` is compared with the floor's "
            "`unclassified`. On the default (spec v0.1) demo data about half the prompts carry "
            "their own intent; the intent marts are compared on those labels. Every column the "
            "floor computes is compared (floats to 1e-9 relative).",
            "",
        ]
        out += [f"- {line}" for line in bench.check]
    out += [
        "",
        "## Commands",
        "",
        "Every measurement is one subprocess, run from the repository root with "
        "`DBT_PROFILES_DIR=<repo>` and `AI_ANALYTICS_DUCKDB_PATH=<workdir>/bench.duckdb` (one path "
        "for all, copied afresh before each measurement, so dbt's partial parsing stays valid; "
        "`DBT_TARGET_PATH` and `DBT_LOG_PATH` point into the work directory), after `sync` "
        "(the fresh copy is flushed to disk first, so its write-back does not run during the "
        "measurement). Wall time is measured around the subprocess; CPU s (user + system) and "
        "peak RSS (`ru_maxrss`) come from `os.wait4`.",
        "",
        "- generate demo data: `ai-analytics demo-data --events N --seed 42 "
        "--prompt-intent-rate 1 --out raw.duckdb` (every prompt carries its own intent)",
        "- full build: fresh copy of the raw data; `dbt build`",
        "- full run: fresh copy; `dbt seed` (untimed); `dbt run`",
        '- floor: fresh copy; `python -c "import duckdb, sys; con = duckdb.connect(sys.argv[1]); '
        'con.execute(open(sys.argv[2]).read())" bench.duckdb benchmarks/floor.sql`',
        "- no-op run / no-op build: copy of the database after the full build; "
        "`dbt run` / `dbt build`",
        "- incremental run / incremental build: copy of the database after the full build; append "
        "the incremental batch (untimed, DuckDB `insert into ... by name`); "
        "`dbt run` / `dbt build`. "
        "The batch: `ai-analytics demo-data --events N/100 --seed 43 --prompt-intent-rate 1` "
        "over the last 7 days of the "
        "range, its `received_at` order squeezed into the hour after the latest existing load time "
        "(`uuid_ts` keeps its lag), so events up to a week old arrive late; plus a 0.1% Bernoulli "
        "sample of the existing rows redelivered with later `received_at`/`uuid_ts` (and their "
        "`rudder_discards` rows)",
        "- classifier only: demo data generated without `--prompt-intent-rate` (about half the "
        "prompts carry no intent); "
        f"`dbt seed`, `dbt run --exclude {CLASSIFIER_MODEL}+` "
        f"(untimed); `dbt run --select {CLASSIFIER_MODEL}`",
        "",
    ]
    text = "\n".join(out)
    path.write_text(text)
    return text


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000000,10000000",
        help="comma-separated event counts (default: 1000000,10000000); empty for none",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="timed repeats per measurement (default: 1)"
    )
    parser.add_argument(
        "--measurements",
        default=",".join(MEASUREMENTS),
        help="comma-separated subset of: " + ", ".join(MEASUREMENTS),
    )
    add = parser.add_argument
    add("--check-floor", action="store_true", help="check the floor's marts against dbt's")
    add("--check-events", type=int, default=100_000, help="events for --check-floor")
    add("--seed", type=int, default=42, help="demo-data seed (the new batch uses seed+1)")
    add("--timeout", type=float, default=4 * 3600, help="seconds per subprocess")
    add("--workdir", type=Path, help="work directory (default: a new temporary one)")
    add("--keep", action="store_true", help="keep databases in the work directory")
    add("--results", type=Path, default=RESULTS, help="markdown file to write")
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.measurements = [m.strip() for m in args.measurements.split(",") if m.strip()]
    unknown = set(args.measurements) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurements: {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ai-analytics-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    bench = Bench(args, workdir)
    print(f"work directory {workdir}; {machine()}", flush=True)
    # Parse once, untimed, so every measurement starts from the same partial-parse state.
    bench.setup(0, "parse", bench.dbt("parse"))
    if args.check_floor:
        bench.check_floor(args.check_events)
        # The check ran with other vars: parse again so the measurements parse partially.
        bench.setup(0, "parse", bench.dbt("parse"))
    for size in args.sizes:
        bench.run_size(size)
    text = write_results(bench, started, argv, args.results)
    print("\n" + text)
    print(f"wrote {args.results}; logs in {bench.logs}")
    failed = any(not row.runs or any(not run.ok for run in row.runs) for row in bench.rows)
    mismatch = any("MISMATCH" in line or "could not" in line for line in bench.check)
    return 1 if failed or mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
