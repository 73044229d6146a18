"""Deterministic, vectorised RudderStack-shaped demo data.

The package must work on what RudderStack really lands in a warehouse, not on
tidy fixtures, so the generator reproduces the loader's habits: duplicate
message ids, values in odd casing, optional columns that are sometimes empty,
events that never arrive, late arrivals, and the "first type wins" rule that
sends thumbs values into `rudder_discards`. Column names and types follow
docs/raw_tables.md exactly.

Two generations of the AI events spec are produced: v0.1 (instrumented by
hand, the default) and v0.3 (sent by RudderStack's AI SDK, `rudderstack-ai`;
built in `demo_v03`), or both at once (`spec="mixed"`: a migration half way
through the date range, whose shared tables hold the union of both columns).

Everything is drawn from `numpy.random.default_rng(seed)` (one spawned stream
per concern), and never from the clock, so a seed gives byte-identical
tables. Work is done on arrays (one entry per user, session, conversation,
turn or event) and text is picked from pools by index, so ten million events
take minutes, not hours.

Public API: `generate`, `write_duckdb`, `write_parquet`, plus the `Behaviour`,
`BehaviourV03` and `Quirks` rate parameters and the column contracts: `SCHEMAS`
(v0.1), `SCHEMAS_V03` and `COLUMN_TYPES` (every column a table can have).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ai_analytics import demo_texts as texts

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Objects = npt.NDArray[np.object_]
ColumnType = Literal["varchar", "bigint", "double", "boolean", "timestamptz"]
Column = Any  # numpy array or pandas extension array, before it becomes a Series
OnTable = Callable[[str, int], None]

PROMPT_TABLE = "ai_user_prompt_created"
RESPONSE_TABLE = "ai_llm_response_received"  # v0.1 responses; v0.3 model calls
ACTION_TABLE = "ai_user_action"
DISCARDS_TABLE = "rudder_discards"
INTERACTION_TABLE = "ai_response_received"  # v0.3 only, like the two below
CLASSIFIED_TABLE = "ai_interaction_classified"
SCORED_TABLE = "ai_interaction_scored"
Spec = Literal["v0.1", "v0.3", "mixed"]
SPECS: tuple[Spec, ...] = ("v0.1", "v0.3", "mixed")

# ---------------------------------------------------------------------------
# The column contract (docs/raw_tables.md)
# ---------------------------------------------------------------------------

STANDARD_COLUMNS: tuple[tuple[str, ColumnType], ...] = (
    ("id", "varchar"),
    ("anonymous_id", "varchar"),
    ("user_id", "varchar"),
    ("event", "varchar"),
    ("event_text", "varchar"),
    ("timestamp", "timestamptz"),
    ("original_timestamp", "timestamptz"),
    ("sent_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("uuid_ts", "timestamptz"),
    ("channel", "varchar"),
    ("context_library_name", "varchar"),
    ("context_library_version", "varchar"),
    ("context_locale", "varchar"),
    ("context_session_id", "bigint"),
    ("context_session_start", "boolean"),
)

SCHEMAS: dict[str, tuple[tuple[str, ColumnType], ...]] = {
    PROMPT_TABLE: STANDARD_COLUMNS
    + (
        ("conversation_id", "varchar"),
        ("prompt_text", "varchar"),
        ("input_method", "varchar"),
        ("prompt_number", "bigint"),
        ("classified_intent", "varchar"),
    ),
    RESPONSE_TABLE: STANDARD_COLUMNS
    + (
        ("conversation_id", "varchar"),
        ("response_text", "varchar"),
        ("response_status", "varchar"),
        ("latency_ms", "bigint"),
        ("token_count_prompt_tokens", "bigint"),
        ("token_count_completion_tokens", "bigint"),
        ("token_count_total_tokens", "bigint"),
        ("cost", "double"),
        ("model_used", "varchar"),
        ("classified_intent", "varchar"),
        ("error_type", "varchar"),
        ("error_message", "varchar"),
    ),
    ACTION_TABLE: STANDARD_COLUMNS
    + (
        ("conversation_id", "varchar"),
        ("action_type", "varchar"),
        ("action_details_feedback_type", "varchar"),
        ("action_details_feedback_value", "bigint"),
        ("action_details_feedback_text", "varchar"),
        ("classified_intent", "varchar"),
    ),
    DISCARDS_TABLE: (
        ("table_name", "varchar"),
        ("row_id", "varchar"),
        ("column_name", "varchar"),
        ("column_value", "varchar"),
        ("received_at", "timestamptz"),
        ("uuid_ts", "timestamptz"),
        ("reason", "varchar"),
    ),
}

# Spec v0.3 (rudderstack-ai 0.6.0). The Python SDK sends through the RudderStack
# Python client (server channel, no locale, no sessionStart; the session id
# comes from the JavaScript SDK's cookie) and tags `context.wrapperLibrary`.
V03_STANDARD_COLUMNS: tuple[tuple[str, ColumnType], ...] = tuple(
    (col, kind)
    for col, kind in STANDARD_COLUMNS
    if col not in ("context_locale", "context_session_start")
) + (
    ("context_wrapper_library_name", "varchar"),
    ("context_wrapper_library_version", "varchar"),
    ("context_wrapper_library_integration", "varchar"),
    ("context_wrapper_library_spec_version", "varchar"),
)

# The SDK's `_base_properties()`: on every event of an interaction.
_V03_SCOPE: tuple[tuple[str, ColumnType], ...] = (
    ("conversation_id", "varchar"),
    ("interaction_id", "varchar"),
    ("feature", "varchar"),
    ("surface", "varchar"),
    ("account_id", "varchar"),
)

SCHEMAS_V03: dict[str, tuple[tuple[str, ColumnType], ...]] = {
    PROMPT_TABLE: V03_STANDARD_COLUMNS
    + _V03_SCOPE
    + (
        ("input_method", "varchar"),
        ("attachment_count", "bigint"),
        ("attachment_types", "varchar"),  # JSON array text
        ("intent", "varchar"),
    ),
    INTERACTION_TABLE: V03_STANDARD_COLUMNS
    + _V03_SCOPE
    + (
        ("response_status", "varchar"),
        ("pause_reason", "varchar"),
        ("trigger", "varchar"),
        ("client_disconnected", "boolean"),
        ("primary_model", "varchar"),
        ("primary_provider", "varchar"),
        ("latency_ms", "bigint"),
        ("time_to_first_token_ms", "bigint"),
        ("llm_call_count", "bigint"),
        ("tool_call_count", "bigint"),
        ("total_input_tokens", "bigint"),
        ("total_output_tokens", "bigint"),
        ("total_reasoning_tokens", "bigint"),
        ("total_tokens", "bigint"),
        ("total_cached_input_tokens", "bigint"),
        ("total_cache_write_tokens", "bigint"),
        ("total_cost_usd", "double"),
        ("finish_reason", "varchar"),
        ("error_type", "varchar"),
        ("intent", "varchar"),
        ("outcome", "varchar"),
        ("usage_breakdown", "varchar"),  # JSON array text
        ("tool_breakdown", "varchar"),  # JSON array text
    ),
    RESPONSE_TABLE: V03_STANDARD_COLUMNS
    + _V03_SCOPE
    + (
        ("provider", "varchar"),
        ("model", "varchar"),
        ("input_tokens", "bigint"),
        ("output_tokens", "bigint"),
        ("total_tokens", "bigint"),
        ("cached_input_tokens", "bigint"),
        ("cache_write_tokens", "bigint"),
        ("reasoning_tokens", "bigint"),
        ("cost_usd", "double"),
        ("response_id", "varchar"),
        ("finish_reason", "varchar"),
        ("error_type", "varchar"),
        ("agent_name", "varchar"),
    ),
    ACTION_TABLE: V03_STANDARD_COLUMNS
    + (
        ("conversation_id", "varchar"),
        ("interaction_id", "varchar"),
        ("action_type", "varchar"),
        ("account_id", "varchar"),
        ("surface", "varchar"),
        ("action_details_feedback_type", "varchar"),
        ("action_details_feedback_value", "bigint"),
        ("action_details_card_kind", "varchar"),
        ("action_details_target_type", "varchar"),
    ),
    CLASSIFIED_TABLE: V03_STANDARD_COLUMNS
    + _V03_SCOPE
    + (
        ("trigger", "varchar"),
        ("intent", "varchar"),
        ("outcome", "varchar"),
        ("intent_summary", "varchar"),
        ("classifier", "varchar"),
        ("classifier_model", "varchar"),
        ("classifier_duration_ms", "bigint"),
        ("classifier_cost_usd", "double"),
    ),
    SCORED_TABLE: V03_STANDARD_COLUMNS
    + _V03_SCOPE
    + (
        ("trigger", "varchar"),
        ("evaluation_name", "varchar"),
        ("score_value", "double"),
        ("score_label", "varchar"),
        ("evaluator", "varchar"),
        ("sampled", "boolean"),
    ),
    DISCARDS_TABLE: SCHEMAS[DISCARDS_TABLE],
}


def _union_columns(*schemas: tuple[tuple[str, ColumnType], ...]) -> dict[str, ColumnType]:
    """Columns of several schemas in first-seen order (a table holding both specs)."""
    union: dict[str, ColumnType] = {}
    for schema in schemas:
        for col, kind in schema:
            if union.setdefault(col, kind) != kind:
                raise AssertionError(f"{col} is {union[col]} in one spec and {kind} in another")
    return union


# Every column a table can have under any spec, in the order tables list them:
# the standard columns first, then v0.1 properties, then v0.3-only properties.
COLUMN_TYPES: dict[str, dict[str, ColumnType]] = {
    table: _union_columns(
        STANDARD_COLUMNS,
        V03_STANDARD_COLUMNS,
        SCHEMAS.get(table, ()),
        SCHEMAS_V03.get(table, ()),
    )
    if table != DISCARDS_TABLE
    else dict(SCHEMAS[DISCARDS_TABLE])
    for table in {**SCHEMAS, **SCHEMAS_V03}
}

DUCKDB_TYPES: dict[ColumnType, str] = {
    "varchar": "VARCHAR",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamptz": "TIMESTAMP WITH TIME ZONE",
}

DUCKDB_WRITE_MEMORY = "1GB"  # next to the frames being written, not on top of them

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    "varchar": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "timestamptz": pa.timestamp("us", tz="UTC"),
}

# ---------------------------------------------------------------------------
# Vocabularies and product facts
# ---------------------------------------------------------------------------

INTENT_SHARE = (0.28, 0.18, 0.14, 0.16, 0.12, 0.12)
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "claude-3-5-haiku")
MODEL_SHARE = (0.25, 0.40, 0.20, 0.15)
# USD per 1M tokens (input, output), the prices the package's seed carries.
MODEL_PRICES_PER_1M: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "claude-3-5-sonnet": (3.00, 15.00),
    "claude-3-5-haiku": (0.80, 4.00),
}
MODEL_MEDIAN_LATENCY_MS = (1600.0, 900.0, 2500.0, 1200.0)
STATUSES = ("success", "error", "timeout")
SUCCESS, ERROR, TIMEOUT = 0, 1, 2
TIMEOUT_LATENCY_MS = 30_000
INPUT_METHODS = ("text", "voice", "button")
INPUT_METHOD_SHARE = (0.85, 0.05, 0.10)
ACTION_TYPES = ("feedback_given", "copied_response", "regenerated", "shared", "reported")
FEEDBACK, COPIED, REGENERATED, SHARED, REPORTED = range(5)
FEEDBACK_TYPES = ("rating", "thumbs")
THUMB_VALUES = ("true", "false", "up", "down")
RATING_SHARE_SUCCESS = (0.05, 0.07, 0.15, 0.33, 0.40)
RATING_SHARE_FAILED = (0.40, 0.25, 0.18, 0.10, 0.07)
ERROR_TYPE_SHARE = (0.40, 0.25, 0.15, 0.12, 0.08)  # order of texts.ERROR_MESSAGES
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "de-DE", "fr-FR", "es-ES", "nl-NL")
LOCALE_SHARE = (0.55, 0.14, 0.06, 0.04, 0.08, 0.05, 0.05, 0.03)
JS_LIBRARY = ("RudderLabs JavaScript SDK", ("3.7.5", "3.11.2", "3.14.0"), (0.15, 0.55, 0.30))
SERVER_LIBRARY = ("rudder-sdk-python", "2.1.0")
FEEDBACK_VALUE_COLUMN = "action_details_feedback_value"
DISCARD_REASON = "incompatible schema conversion from int to {}"

MS = 1_000  # microseconds per millisecond: timestamps are int64 microseconds
SECOND_MS = 1_000
MINUTE_MS = 60 * SECOND_MS
DAY_MS = 86_400 * SECOND_MS
SESSION_TIMEOUT_MS = 30 * MINUTE_MS  # JS SDK: 30 minutes of inactivity ends a session
# Quiet time before a prompt: thinking, plus a pause when a new conversation
# starts. Together they stay under the timeout, so a session never splits.
MAX_THINK_MS = 12 * MINUTE_MS
MAX_PAUSE_MS = 15 * MINUTE_MS


@dataclass(frozen=True)
class Behaviour:
    """How users and the AI product behave; rates are per turn or response."""

    prompts_per_user: float = 20.0
    anonymous_user_rate: float = 0.20
    mean_turns_per_conversation: float = 3.0
    mean_conversations_per_session: float = 1.4
    intent_switch_rate: float = 0.15
    prompt_pii_rate: float = 0.10
    error_rate: float = 0.03
    timeout_rate: float = 0.02
    regenerate_rate: float = 0.05
    rating_rate: float = 0.10
    thumbs_rate: float = 0.15
    thumbs_word_rate: float = 0.15
    copy_rate: float = 0.15
    share_rate: float = 0.02
    report_rate: float = 0.01
    feedback_text_rate: float = 0.30
    feedback_pii_rate: float = 0.10
    prompt_intent_rate: float = 0.50
    prompt_off_taxonomy_rate: float = 0.03
    response_intent_rate: float = 0.30
    action_intent_rate: float = 0.20


@dataclass(frozen=True)
class Quirks:
    """Delivery and instrumentation defects, as rates of rows."""

    duplicate_rate: float = 0.02
    odd_casing_rate: float = 0.10
    odd_model_casing_rate: float = 0.03
    missing_total_tokens_rate: float = 0.15
    missing_cost_rate: float = 0.10
    missing_model_rate: float = 0.02
    dropped_prompt_rate: float = 0.01
    action_missing_conversation_rate: float = 0.03
    late_arrival_rate: float = 0.005
    near_midnight_session_rate: float = 0.005
    clock_skew_session_rate: float = 0.03


@dataclass(frozen=True)
class BehaviourV03:
    """What apps on the v0.3 SDK do on top of `Behaviour`; rates are per interaction
    (one answer, so a regeneration is an interaction of its own) unless noted."""

    incomplete_rate: float = 0.01  # cut off at the output-token cap
    cancelled_rate: float = 0.01  # the user stopped the stream
    paused_rate: float = 0.005  # waiting for a tool call's approval
    streaming_rate: float = 0.70
    tool_use_rate: float = 0.20
    second_tool_round_rate: float = 0.30  # of tool-using interactions
    fallback_rate: float = 0.02  # first model failed, the fallback model answered
    unpriced_rate: float = 0.05  # calls the app registered no price for
    llm_call_events_rate: float = 0.25  # `emit_llm_calls` on for these
    tool_breakdown_rate: float = 0.90  # `tool_breakdown` on for these
    classified_rate: float = 0.60
    reclassified_rate: float = 0.10  # of classified interactions
    intent_summary_rate: float = 0.97  # of model classifications (withheld when sensitive)
    scored_rate: float = 0.20
    groundedness_rate: float = 0.50  # of scored interactions
    policy_check_rate: float = 0.60  # of scored interactions
    human_review_rate: float = 0.05  # of scored interactions
    retraction_rate: float = 0.05  # of feedback
    accept_rate: float = 0.04  # per turn with a successful answer, like the three below
    reject_rate: float = 0.02
    edit_rate: float = 0.02
    click_through_rate: float = 0.05
    outcome_rate: float = 0.12  # the app set an outcome
    attachment_rate: float = 0.08  # per prompt
    feature_rate: float = 0.90  # per conversation
    surface_rate: float = 0.85  # per session
    account_rate: float = 0.70  # per signed-in user


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def generate(
    events: int = 100_000,
    seed: int = 42,
    start_date: str = "2026-10-01",
    days: int = 28,
    *,
    behaviour: Behaviour | None = None,
    quirks: Quirks | None = None,
    spec: Spec = "v0.1",
    behaviour_v03: BehaviourV03 | None = None,
) -> dict[str, pd.DataFrame]:
    """Demo tables exactly as RudderStack would deliver them to the warehouse.

    `events` is the approximate total row count of the event tables.
    `spec="v0.1"` returns the three v0.1 event tables and `rudder_discards`;
    `"v0.3"` the tables RudderStack's AI SDK fills (`ai_response_received`,
    `ai_interaction_classified` and `ai_interaction_scored` besides the three);
    `"mixed"` both in the same tables (a migration: sessions that start in the
    first half of the date range are v0.1, later ones v0.3). With v0.3 a
    table, or a column, exists only once a row has a value, as in a warehouse.
    """
    if events < 1 or days < 1:
        raise ValueError("events and days must be positive")
    if spec not in SPECS:
        raise ValueError(f"spec must be one of {', '.join(SPECS)}, not {spec!r}")
    behaviour = behaviour or Behaviour()
    quirks = quirks or Quirks()
    if spec != "v0.1":
        from ai_analytics import demo_v03  # builds on this module's helpers

        return demo_v03.generate(
            events,
            seed,
            start_date,
            days,
            behaviour,
            quirks,
            behaviour_v03 or BehaviourV03(),
            mixed=spec == "mixed",
        )
    rng_texts, rng_world, rng_prompts, rng_responses, rng_actions = np.random.default_rng(
        seed
    ).spawn(5)
    pools = _TextPools.build(rng_texts)
    world = _build_world(
        rng_world,
        _turns_for(events, behaviour, quirks),
        days,
        _epoch_ms(start_date),
        behaviour,
        quirks,
    )
    # Each table becomes a frame at once, so its working columns are freed early.
    actions = _action_table(rng_actions, world, pools, behaviour, quirks)
    discards = _frame(DISCARDS_TABLE, _discards_table(actions))
    return {
        PROMPT_TABLE: _frame(
            PROMPT_TABLE, _prompt_table(rng_prompts, world, pools, behaviour, quirks)
        ),
        RESPONSE_TABLE: _frame(
            RESPONSE_TABLE, _response_table(rng_responses, world, pools, behaviour, quirks)
        ),
        ACTION_TABLE: _frame(ACTION_TABLE, actions),
        DISCARDS_TABLE: discards,
    }


def write_duckdb(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    schema: str = "rudderstack",
    on_table: OnTable | None = None,
) -> None:
    """Replace each table in `schema` of the DuckDB file at `path`.

    Columns are cast to the declared types so that an all-NULL column still
    lands as VARCHAR/BIGINT rather than DuckDB's NULL type. DuckDB's memory is
    capped: it writes blocks out instead of holding a copy of the tables.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(f"set memory_limit = '{DUCKDB_WRITE_MEMORY}'")
        con.execute(f"create schema if not exists {_quote(schema)}")
        for name, frame in tables.items():
            con.register("demo_frame", frame)
            try:
                con.execute(
                    f"create or replace table {_quote(schema)}.{_quote(name)} as "
                    f"select {_select_list(name, list(frame.columns))} from demo_frame"
                )
            finally:
                con.unregister("demo_frame")
            if on_table:
                on_table(name, len(frame))


def write_parquet(
    tables: Mapping[str, pd.DataFrame],
    directory: str | Path,
    on_table: OnTable | None = None,
    rows_per_group: int = 1_000_000,
) -> None:
    """Write one `<table>.parquet` per table, converting a row group at a time.

    Converting slices keeps the Arrow copy small next to the frame; pandas
    metadata is kept so nullable integer and boolean dtypes round-trip.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        schema = _arrow_schema(name, list(frame.columns))
        first = pa.Table.from_pandas(
            frame.iloc[:rows_per_group], schema=schema, preserve_index=False
        )
        with pq.ParquetWriter(directory / f"{name}.parquet", first.schema) as writer:
            writer.write_table(first)
            for start in range(rows_per_group, len(frame), rows_per_group):
                chunk = frame.iloc[start : start + rows_per_group]
                writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))
        if on_table:
            on_table(name, len(frame))


# ---------------------------------------------------------------------------
# Writers' helpers
# ---------------------------------------------------------------------------


def _quote(identifier: str) -> str:
    """Quote a SQL identifier; schema names come from the command line."""
    return '"' + identifier.replace('"', '""') + '"'


def _select_list(table: str, columns: list[str]) -> str:
    """Cast a frame's known columns to their declared types; pass others through."""
    declared = COLUMN_TYPES.get(table)
    if declared is None:
        return "*"
    return ", ".join(
        f"cast({_quote(col)} as {DUCKDB_TYPES[declared[col]]}) as {_quote(col)}"
        if col in declared
        else _quote(col)
        for col in columns
    )


def _arrow_schema(table: str, columns: list[str]) -> pa.Schema | None:
    """Declared Arrow types for known tables, so empty columns keep their type."""
    declared = COLUMN_TYPES.get(table)
    if declared is None or any(col not in declared for col in columns):
        return None
    return pa.schema([(col, ARROW_TYPES[declared[col]]) for col in columns])


# ---------------------------------------------------------------------------
# Text pools
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pool:
    """Texts grouped by key (e.g. intent); picking is one vectorised index."""

    texts: Objects
    start: Ints
    size: Ints

    @classmethod
    def from_groups(cls, groups: list[list[str]]) -> _Pool:
        """Concatenate the groups, remembering where each starts."""
        sizes = np.array([len(g) for g in groups], dtype=np.int64)
        flat = np.array([t for g in groups for t in g], dtype=object)
        return cls(flat, np.cumsum(sizes) - sizes, sizes)

    def index(self, rng: np.random.Generator, key: Ints) -> Ints:
        """Position of one random text of each row's group."""
        return self.start[key] + rng.integers(0, self.size[key])

    def pick(self, rng: np.random.Generator, key: Ints) -> Objects:
        """One random text of each row's group."""
        return self.texts[self.index(rng, key)]


@dataclass(frozen=True)
class _TextPools:
    """All text pools of one run, built once from the run's own stream."""

    prompts: _Pool  # key: intent, or 6 + intent for texts with personal data
    responses: _Pool  # key: intent, or 6 for the fallback shown on failures
    feedback: _Pool  # key: 0 plain, 1 with personal data
    errors: _Pool  # error messages; key: error type index, or 5 for timeouts
    error_types: Objects  # the error type of each message in `errors`

    @classmethod
    def build(cls, rng: np.random.Generator) -> _TextPools:
        """Fill every template family; PII templates get more copies for variety."""
        fill = texts.fill_templates
        plain = [fill(rng, texts.PROMPT_TEMPLATES[i], 30) for i in texts.INTENTS]
        pii = [fill(rng, texts.PII_PROMPT_TEMPLATES[i], 60) for i in texts.INTENTS]
        answers = [fill(rng, texts.RESPONSE_TEMPLATES[i], 30) for i in texts.INTENTS]
        errors = [*texts.ERROR_MESSAGES.items(), (texts.TIMEOUT_ERROR[0], texts.TIMEOUT_ERROR[1:])]
        return cls(
            prompts=_Pool.from_groups(plain + pii),
            responses=_Pool.from_groups([*answers, list(texts.FALLBACK_RESPONSES)]),
            feedback=_Pool.from_groups(
                [list(texts.FEEDBACK_TEXTS), fill(rng, texts.PII_FEEDBACK_TEMPLATES, 40)]
            ),
            errors=_Pool.from_groups([list(messages) for _, messages in errors]),
            error_types=np.array(
                [kind for kind, messages in errors for _ in messages], dtype=object
            ),
        )


# ---------------------------------------------------------------------------
# The simulated world: users, sessions, conversations, turns
# ---------------------------------------------------------------------------


@dataclass
class _Users:
    """Per-user attributes; heavier users have more sessions and stay longer."""

    anonymous_id: Objects
    user_id: Objects
    locale: Objects
    js_version: Objects
    weight: Floats
    first_day: Ints
    return_scale_days: Floats


@dataclass
class _Turns:
    """Per-turn outcomes and timings; times are milliseconds after the prompt."""

    intent: Ints
    model: Ints
    input_method: Ints
    status: Ints  # first answer
    latency_ms: Ints
    regenerated: Bools
    regenerate_at_ms: Ints
    status2: Ints  # the answer after a regeneration
    latency2_ms: Ints
    last_response_ms: Ints
    feedback: Ints  # 0 none, 1 rating, 2 thumbs
    rating: Ints
    thumb: Ints  # index into THUMB_VALUES
    action_delay_ms: dict[int, Ints]  # action type -> delay after the last response, -1 = none
    span_ms: Ints  # prompt to next prompt of the session (without conversation gaps)


@dataclass
class _World:
    """Everything the three event tables share, one entry per prompt turn."""

    users: _Users
    turns: _Turns
    turn_user: Ints
    turn_conv: Ints
    turn_session: Ints
    prompt_number: Ints
    opens_session: Bools
    prompt_ms: Ints  # absolute epoch milliseconds
    conversation_id: Objects  # per conversation
    session_id_ms: Ints  # per session, from the client clock
    session_skew_ms: Ints  # per session, client clock minus true time (<= 0)


def _turns_for(events: int, b: Behaviour, q: Quirks) -> int:
    """Prompt turns needed for about `events` rows across the event tables."""
    actions = b.regenerate_rate + b.rating_rate + b.thumbs_rate + b.copy_rate + b.share_rate
    per_turn = (1 - q.dropped_prompt_rate) + (1 + b.regenerate_rate) + actions + b.report_rate
    return max(1, round(events / (per_turn * (1 + q.duplicate_rate))))


def _epoch_ms(start_date: str) -> int:
    """Midnight UTC of an ISO date, in epoch milliseconds."""
    day = dt.date.fromisoformat(start_date)
    return (day - dt.date(1970, 1, 1)).days * DAY_MS


def _build_world(
    rng: np.random.Generator, n_turns: int, days: int, start_ms: int, b: Behaviour, q: Quirks
) -> _World:
    """Nest turns in conversations, conversations in sessions, sessions in users."""
    turns_per_conv = _group_sizes(rng, n_turns, b.mean_turns_per_conversation)
    conv_per_session = _group_sizes(rng, len(turns_per_conv), b.mean_conversations_per_session)
    turn_conv = np.repeat(np.arange(len(turns_per_conv)), turns_per_conv)
    conv_session = np.repeat(np.arange(len(conv_per_session)), conv_per_session)
    turn_session = conv_session[turn_conv]
    prompt_number = _cumsum_before(np.ones(n_turns, dtype=np.int64), _opens_group(turn_conv)) + 1
    opens_session = _opens_group(turn_session)

    turns = _plan_turns(rng, turn_conv, prompt_number, b)
    offset_ms, session_ms = _session_offsets(
        rng, turns, turn_conv, turn_session, prompt_number, turns_per_conv
    )
    n_users = int(min(max(5, round(n_turns / b.prompts_per_user)), len(conv_per_session)))
    users = _make_users(rng, n_users, days, b)
    session_user, anchor = _assign_sessions(rng, len(conv_per_session), users.weight)
    raw_start = _raw_session_starts(rng, session_user, anchor, users, days, q)
    session_start = start_ms + _without_overlaps(raw_start, session_ms, session_user)
    skew = _session_skews(rng, len(session_start), q)
    return _World(
        users=users,
        turns=turns,
        turn_user=session_user[turn_session],
        turn_conv=turn_conv,
        turn_session=turn_session,
        prompt_number=prompt_number,
        opens_session=opens_session,
        prompt_ms=session_start[turn_session] + offset_ms,
        conversation_id=_hex_ids(rng, len(turns_per_conv), n_bytes=8, prefix="conv_"),
        session_id_ms=session_start + skew - rng.integers(0, 3 * SECOND_MS, len(session_start)),
        session_skew_ms=skew,
    )


def _group_sizes(rng: np.random.Generator, total: int, mean: float) -> Ints:
    """Geometric group sizes (>= 1, given mean) that add up to exactly `total`."""
    p = 1.0 / max(mean, 1.0)
    sizes = rng.geometric(p, size=int(total * p * 1.1) + 16)
    while sizes.sum() < total:
        sizes = np.concatenate([sizes, rng.geometric(p, size=len(sizes))])
    cum = np.cumsum(sizes)
    last = int(np.searchsorted(cum, total))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= cum[last] - total
    return sizes.astype(np.int64)


def _opens_group(group: Ints) -> Bools:
    """True where a run of equal consecutive values (a group) begins."""
    return np.r_[True, group[1:] != group[:-1]]


def _cumsum_before(values: Ints, opens_group: Bools) -> Ints:
    """Sum of the earlier values of the same group (groups are consecutive rows).

    One global cumulative sum minus its value at each group's first row: a
    per-group loop without the loop.
    """
    before = np.cumsum(values) - values
    first = np.flatnonzero(opens_group)
    return before - np.repeat(before[first], np.diff(np.r_[first, len(values)]))


def _plan_turns(
    rng: np.random.Generator, turn_conv: Ints, prompt_number: Ints, b: Behaviour
) -> _Turns:
    """Draw what happens in each turn: intent, answers, regeneration, actions."""
    n = len(turn_conv)
    model = rng.choice(len(MODELS), size=int(turn_conv[-1]) + 1, p=MODEL_SHARE)[turn_conv]
    status = _statuses(rng, n, b)
    latency = _latency_ms(rng, model, status)
    failed_share = b.error_rate + b.timeout_rate
    regen_p = b.regenerate_rate / (1 + 4 * failed_share)  # failures are regenerated 5x as often
    regenerated = rng.random(n) < np.where(status == SUCCESS, regen_p, 5 * regen_p)
    regenerate_at = latency + _lognormal_ms(rng, n, 4 * SECOND_MS, 0.6, SECOND_MS, 30 * SECOND_MS)
    status2 = _statuses(rng, n, b)
    latency2 = _latency_ms(rng, model, status2)
    last_response = np.where(regenerated, regenerate_at + latency2, latency)
    final_ok = np.where(regenerated, status2, status) == SUCCESS
    feedback, rating, thumb = _feedback(rng, final_ok, b)
    delays = _action_delays(rng, final_ok, feedback, b)
    busy_until = np.max(np.stack(list(delays.values())), axis=0).clip(min=0)
    think = _lognormal_ms(rng, n, 45 * SECOND_MS, 0.8, 4 * SECOND_MS, MAX_THINK_MS)
    return _Turns(
        intent=_intents(rng, prompt_number == 1, b),
        model=model,
        input_method=rng.choice(len(INPUT_METHODS), size=n, p=INPUT_METHOD_SHARE),
        status=status,
        latency_ms=latency,
        regenerated=regenerated,
        regenerate_at_ms=regenerate_at,
        status2=status2,
        latency2_ms=latency2,
        last_response_ms=last_response,
        feedback=feedback,
        rating=rating,
        thumb=thumb,
        action_delay_ms=delays,
        span_ms=last_response + busy_until + think,
    )


def _intents(rng: np.random.Generator, opens_conversation: Bools, b: Behaviour) -> Ints:
    """Conversations keep their intent, but switch now and then.

    A fresh intent is drawn on a conversation's first turn and on switches;
    every other turn carries the latest draw forward (a running max of indices).
    """
    n = len(opens_conversation)
    draws = rng.choice(len(texts.INTENTS), size=n, p=INTENT_SHARE)
    fresh = opens_conversation | (rng.random(n) < b.intent_switch_rate)
    return draws[np.maximum.accumulate(np.where(fresh, np.arange(n), 0))]


def _statuses(rng: np.random.Generator, n: int, b: Behaviour) -> Ints:
    """Success, error or timeout per answer."""
    p = (1 - b.error_rate - b.timeout_rate, b.error_rate, b.timeout_rate)
    return rng.choice(3, size=n, p=p)


def _latency_ms(rng: np.random.Generator, model: Ints, status: Ints) -> Ints:
    """Lognormal latency per model; errors fail fast, timeouts hit the 30 s limit."""
    n = len(model)
    ok = np.asarray(MODEL_MEDIAN_LATENCY_MS)[model] * rng.lognormal(0.0, 0.5, n)
    failed = rng.lognormal(np.log(600.0), 0.8, n)
    latency = np.where(status == ERROR, failed, np.minimum(ok, TIMEOUT_LATENCY_MS - 1000))
    latency = np.where(status == TIMEOUT, TIMEOUT_LATENCY_MS, np.maximum(latency, 80))
    return np.rint(latency).astype(np.int64)


def _lognormal_ms(
    rng: np.random.Generator, n: int, median: float, sigma: float, low: float, high: float
) -> Ints:
    """Clipped lognormal durations in whole milliseconds."""
    return np.rint(np.clip(median * rng.lognormal(0.0, sigma, n), low, high)).astype(np.int64)


def _feedback(rng: np.random.Generator, final_ok: Bools, b: Behaviour) -> tuple[Ints, Ints, Ints]:
    """Rating or thumbs per turn; unhappy answers get lower scores."""
    n = len(final_ok)
    u = rng.random(n)
    kind = np.where(u < b.rating_rate, 1, np.where(u < b.rating_rate + b.thumbs_rate, 2, 0))
    good = rng.choice(5, size=n, p=RATING_SHARE_SUCCESS) + 1
    bad = rng.choice(5, size=n, p=RATING_SHARE_FAILED) + 1
    rating = np.where(final_ok, good, bad)
    up = rng.random(n) < np.where(final_ok, 0.8, 0.25)
    word = rng.random(n) < b.thumbs_word_rate  # 'up'/'down' instead of true/false
    thumb = np.where(up, 0, 1) + 2 * word
    return kind.astype(np.int64), rating.astype(np.int64), thumb.astype(np.int64)


def _action_delays(
    rng: np.random.Generator, final_ok: Bools, feedback: Ints, b: Behaviour
) -> dict[int, Ints]:
    """Delay after the last answer for each action a turn gets; -1 = none.

    Copying and sharing need a real answer, so their rates are raised among
    successful turns to keep the overall rates as configured.
    """
    n = len(final_ok)
    ok_share = max(1 - b.error_rate - b.timeout_rate, 1e-9)
    present = {
        FEEDBACK: feedback > 0,
        COPIED: final_ok & (rng.random(n) < min(1.0, b.copy_rate / ok_share)),
        SHARED: final_ok & (rng.random(n) < min(1.0, b.share_rate / ok_share)),
        REPORTED: rng.random(n) < b.report_rate,
    }
    return {
        kind: np.where(
            mask, _lognormal_ms(rng, n, 20 * SECOND_MS, 1.0, SECOND_MS, 10 * MINUTE_MS), -1
        )
        for kind, mask in present.items()
    }


def _session_offsets(
    rng: np.random.Generator,
    turns: _Turns,
    turn_conv: Ints,
    turn_session: Ints,
    prompt_number: Ints,
    turns_per_conv: Ints,
) -> tuple[Ints, Ints]:
    """Prompt times within their session, and each session's length (ms).

    Each turn pushes the next prompt back by its span, plus a pause when the
    next turn starts a new conversation in the same session; an exclusive
    cumulative sum restarted at every session gives the offsets.
    """
    n = len(turn_session)
    ends_conv = prompt_number == turns_per_conv[turn_conv]
    ends_session = np.r_[turn_session[1:] != turn_session[:-1], True]
    pause = _lognormal_ms(rng, n, 3 * MINUTE_MS, 0.8, 20 * SECOND_MS, MAX_PAUSE_MS)
    step = turns.span_ms + np.where(ends_conv & ~ends_session, pause, 0)
    offset = _cumsum_before(step, _opens_group(turn_session))
    last = np.flatnonzero(ends_session)
    return offset, offset[last] + turns.span_ms[last]


def _make_users(rng: np.random.Generator, n: int, days: int, b: Behaviour) -> _Users:
    """Users with power-law activity weights, a first day and a return rate."""
    weight = np.minimum(rng.pareto(1.2, n) + 1.0, 40.0)
    anonymous = rng.random(n) < b.anonymous_user_rate
    user_id = _hex_ids(rng, n, n_bytes=6, prefix="usr_")
    user_id[anonymous] = None
    versions, version_share = JS_LIBRARY[1], JS_LIBRARY[2]
    return _Users(
        anonymous_id=_hex_ids(rng, n, uuid=True),
        user_id=user_id,
        locale=np.array(LOCALES, dtype=object)[rng.choice(len(LOCALES), size=n, p=LOCALE_SHARE)],
        js_version=np.array(versions, dtype=object)[
            rng.choice(len(versions), size=n, p=version_share)
        ],
        weight=weight,
        first_day=rng.integers(0, days, n),
        return_scale_days=rng.lognormal(np.log(5.0), 0.9, n) * (1 + weight / 8),
    )


def _assign_sessions(
    rng: np.random.Generator, n_sessions: int, weight: Floats
) -> tuple[Ints, Bools]:
    """Give every user one anchor session, the rest in proportion to weight."""
    n_users = len(weight)
    order = rng.permutation(n_sessions)
    user = np.empty(n_sessions, dtype=np.int64)
    user[order[:n_users]] = np.arange(n_users)
    user[order[n_users:]] = rng.choice(n_users, size=n_sessions - n_users, p=weight / weight.sum())
    anchor = np.zeros(n_sessions, dtype=bool)
    anchor[order[:n_users]] = True
    return user, anchor


def _raw_session_starts(
    rng: np.random.Generator, session_user: Ints, anchor: Bools, users: _Users, days: int, q: Quirks
) -> Ints:
    """Session start (ms after the first day's midnight) before overlaps are fixed.

    The anchor session falls on the user's first day; later ones follow a
    truncated exponential over the remaining days, which gives cohorts that
    decay week over week instead of users who vanish or never leave.
    """
    n = len(session_user)
    first = users.first_day[session_user]
    remaining = (days - first).astype(np.float64)
    scale = users.return_scale_days[session_user]
    u = rng.random(n)
    offset = -scale * np.log1p(u * np.expm1(-remaining / scale))
    day = np.minimum(first + np.where(anchor, 0, np.floor(offset)).astype(np.int64), days - 1)
    return day * DAY_MS + _time_of_day_ms(rng, n, q)


def _time_of_day_ms(rng: np.random.Generator, n: int, q: Quirks) -> Ints:
    """UTC time of day with afternoon and evening peaks, and some near midnight."""
    hours = np.arange(24)
    weight = (
        0.12
        + np.exp(-0.5 * ((hours - 15) / 3.5) ** 2)
        + 0.6 * np.exp(-0.5 * ((hours - 20.5) / 2) ** 2)
    )
    hour = rng.choice(24, size=n, p=weight / weight.sum())
    ms = hour * 3_600_000 + rng.integers(0, 3_600_000, n)
    near_midnight = rng.random(n) < q.near_midnight_session_rate
    return np.where(near_midnight, DAY_MS - rng.integers(MINUTE_MS, 15 * MINUTE_MS, n), ms)


def _without_overlaps(start: Ints, length: Ints, session_user: Ints) -> Ints:
    """Push a user's sessions apart so each starts after the previous one ended.

    The rule s'[i] = max(s[i], s'[i-1] + gap[i-1]) is sequential; with D the
    running sum of gaps it becomes s' = D + cummax(s - D) per user, which is
    vectorised. The gap is the session length plus the SDK's inactivity timeout.
    """
    order = np.lexsort((start, session_user))
    user = session_user[order]
    gap = length[order] + SESSION_TIMEOUT_MS + MINUTE_MS
    pushed = _cumsum_before(gap, _opens_group(user))
    running = pd.Series(start[order] - pushed).groupby(user, sort=False).cummax().to_numpy()
    fixed = np.empty_like(start)
    fixed[order] = pushed + running
    return fixed


def _session_skews(rng: np.random.Generator, n: int, q: Quirks) -> Ints:
    """Client clock offset per web session: tiny mostly, minutes behind for some."""
    small = rng.integers(0, 40, n)
    large = rng.integers(20 * SECOND_MS, 10 * MINUTE_MS, n)
    return -np.where(rng.random(n) < q.clock_skew_session_rate, large, small)


# ---------------------------------------------------------------------------
# Event tables
# ---------------------------------------------------------------------------


def _prompt_table(
    rng: np.random.Generator, world: _World, pools: _TextPools, b: Behaviour, q: Quirks
) -> dict[str, Column]:
    """One prompt per turn, minus the ones that never arrived."""
    n = len(world.turn_conv)
    turn = np.arange(n)
    intent = world.turns.intent
    pii = rng.random(n) < b.prompt_pii_rate
    cols = _standard_columns(rng, PROMPT_TABLE, world, turn, world.prompt_ms, server=False, q=q)
    cols["context_session_start"] = pd.arrays.BooleanArray(
        np.ones(n, dtype=bool), ~world.opens_session
    )
    cols["conversation_id"] = world.conversation_id[world.turn_conv]
    cols["prompt_text"] = pools.prompts.pick(rng, intent + len(texts.INTENTS) * pii)
    cols["input_method"] = _enum(rng, INPUT_METHODS, world.turns.input_method, q.odd_casing_rate)
    cols["prompt_number"] = _int_array(world.prompt_number)
    cols["classified_intent"] = _prompt_intent_labels(rng, intent, b, q)
    keep = rng.random(n) >= q.dropped_prompt_rate
    return _duplicate_and_order(rng, cols, keep, q)


def _prompt_intent_labels(
    rng: np.random.Generator, intent: Ints, b: Behaviour, q: Quirks
) -> Objects:
    """About half the prompts carry their intent; a few carry off-taxonomy labels."""
    n = len(intent)
    u = rng.random(n)
    off = len(texts.INTENTS) + rng.integers(0, len(texts.OFF_TAXONOMY_LABELS), n)
    code = np.where(u < b.prompt_intent_rate, intent, -1)
    code = np.where(
        (u >= b.prompt_intent_rate) & (u < b.prompt_intent_rate + b.prompt_off_taxonomy_rate),
        off,
        code,
    )
    return _enum(rng, texts.INTENTS + texts.OFF_TAXONOMY_LABELS, code, q.odd_casing_rate)


def _response_table(
    rng: np.random.Generator, world: _World, pools: _TextPools, b: Behaviour, q: Quirks
) -> dict[str, Column]:
    """One answer per turn, and a second one after each regeneration."""
    t = world.turns
    regen = np.flatnonzero(t.regenerated)
    turn = np.r_[np.arange(len(t.intent)), regen]
    status = np.r_[t.status, t.status2[regen]]
    latency = np.r_[t.latency_ms, t.latency2_ms[regen]]
    offset = np.r_[t.latency_ms, t.regenerate_at_ms[regen] + t.latency2_ms[regen]]
    n = len(turn)
    intent, model = t.intent[turn], t.model[turn]
    cols = _standard_columns(
        rng,
        RESPONSE_TABLE,
        world,
        turn,
        world.prompt_ms[turn] + offset,
        server=True,
        q=q,
    )
    cols["conversation_id"] = world.conversation_id[world.turn_conv[turn]]
    failed = status != SUCCESS
    cols["response_text"] = pools.responses.pick(rng, np.where(failed, len(texts.INTENTS), intent))
    cols["response_status"] = _enum(rng, STATUSES, status, q.odd_casing_rate)
    cols["latency_ms"] = _int_array(latency)
    has_model = rng.random(n) >= q.missing_model_rate
    cols.update(_usage_columns(rng, model, world.prompt_number[turn], failed, has_model, q))
    cols["model_used"] = _enum(rng, MODELS, np.where(has_model, model, -1), q.odd_model_casing_rate)
    cols["classified_intent"] = _enum(
        rng,
        texts.INTENTS,
        np.where(rng.random(n) < b.response_intent_rate, intent, -1),
        q.odd_casing_rate,
    )
    cols.update(_error_columns(rng, pools, status))
    return _duplicate_and_order(rng, cols, np.ones(n, dtype=bool), q)


def _usage_columns(
    rng: np.random.Generator,
    model: Ints,
    prompt_number: Ints,
    failed: Bools,
    has_model: Bools,
    q: Quirks,
) -> dict[str, Column]:
    """Tokens and cost of successful answers, with the usual gaps.

    Prompt tokens grow with the conversation (history is resent). A missing
    cost is only blanked where tokens and model are known, so the package can
    derive it from its price seed.
    """
    n = len(model)
    base = 110.0 + 45.0 * (prompt_number - 1)
    prompt = np.rint(np.clip(base * rng.lognormal(0, 0.45, n), 50, 800)).astype(np.int64)
    completion = np.rint(np.clip(220 * rng.lognormal(0, 0.7, n), 20, 1200)).astype(np.int64)
    prices = np.array([MODEL_PRICES_PER_1M[m] for m in MODELS])
    cost = (prompt * prices[model, 0] + completion * prices[model, 1]) / 1e6
    no_total = failed | (rng.random(n) < q.missing_total_tokens_rate)
    no_cost = failed | (has_model & (rng.random(n) < q.missing_cost_rate))
    return {
        "token_count_prompt_tokens": _int_array(prompt, failed),
        "token_count_completion_tokens": _int_array(completion, failed),
        "token_count_total_tokens": _int_array(prompt + completion, no_total),
        "cost": np.where(no_cost, np.nan, cost),
    }


def _error_columns(rng: np.random.Generator, pools: _TextPools, status: Ints) -> dict[str, Objects]:
    """Error type and message for failed answers; NULL on successes."""
    n = len(status)
    kind = np.where(
        status == TIMEOUT, len(ERROR_TYPE_SHARE), rng.choice(5, size=n, p=ERROR_TYPE_SHARE)
    )
    code = np.where(status == SUCCESS, -1, pools.errors.index(rng, kind))
    return {
        "error_type": _lookup(pools.error_types, code),
        "error_message": _lookup(pools.errors.texts, code),
    }


def _action_table(
    rng: np.random.Generator, world: _World, pools: _TextPools, b: Behaviour, q: Quirks
) -> dict[str, Column]:
    """Feedback, copies, shares, reports and regenerations after answers."""
    t = world.turns
    action, turn, offset = _action_rows(t)
    n = len(turn)
    cols = _standard_columns(
        rng,
        ACTION_TABLE,
        world,
        turn,
        world.prompt_ms[turn] + offset,
        server=False,
        q=q,
    )
    conversation = world.conversation_id[world.turn_conv[turn]]
    conversation[rng.random(n) < q.action_missing_conversation_rate] = None
    cols["conversation_id"] = conversation
    cols["action_type"] = _enum(rng, ACTION_TYPES, action, q.odd_casing_rate)
    cols.update(_feedback_columns(rng, pools, action, turn, cols["uuid_ts"], t, b, q))
    cols["classified_intent"] = _enum(
        rng,
        texts.INTENTS,
        np.where(rng.random(n) < b.action_intent_rate, t.intent[turn], -1),
        q.odd_casing_rate,
    )
    return _duplicate_and_order(rng, cols, np.ones(n, dtype=bool), q)


def _action_rows(t: _Turns) -> tuple[Ints, Ints, Ints]:
    """Action type, turn and time after the prompt (ms) of every action row.

    A regeneration comes between the two answers; every other action follows
    the last answer by its own delay.
    """
    regen = np.flatnonzero(t.regenerated)
    parts = [(REGENERATED, regen, t.regenerate_at_ms[regen])]
    for kind, delay in t.action_delay_ms.items():
        rows = np.flatnonzero(delay >= 0)
        parts.append((kind, rows, t.last_response_ms[rows] + delay[rows]))
    action = np.concatenate([np.full(len(rows), kind, dtype=np.int64) for kind, rows, _ in parts])
    turn = np.concatenate([rows for _, rows, _ in parts])
    return action, turn, np.concatenate([offset for _, _, offset in parts])


def _feedback_columns(
    rng: np.random.Generator,
    pools: _TextPools,
    action: Ints,
    turn: Ints,
    uuid_ts: Ints,
    t: _Turns,
    b: Behaviour,
    q: Quirks,
) -> dict[str, Column]:
    """Feedback type, value and text, applying the loader's first-type-wins rule.

    The value column is BIGINT because the first value loaded was a rating;
    should a thumbs be loaded first, it is turned into a rating so the table
    matches the contract. Thumbs values then go to `rudder_discards`: the cell
    is NULL and the value travels in the internal `_discarded` column.
    """
    n = len(action)
    is_feedback = action == FEEDBACK
    kind = np.where(is_feedback, t.feedback[turn], 0)
    rating = t.rating[turn].copy()
    feedback_rows = np.flatnonzero(kind > 0)
    if len(feedback_rows):
        first = feedback_rows[np.argmin(uuid_ts[feedback_rows])]
        if kind[first] == 2:
            kind[first], rating[first] = 1, 4
    thumb_values = np.array([*THUMB_VALUES, None], dtype=object)
    with_text = is_feedback & (rng.random(n) < b.feedback_text_rate)
    text = pools.feedback.pick(rng, (rng.random(n) < b.feedback_pii_rate).astype(np.int64))
    return {
        "action_details_feedback_type": _enum(rng, FEEDBACK_TYPES, kind - 1, q.odd_casing_rate),
        "action_details_feedback_value": _int_array(rating, kind != 1),
        "action_details_feedback_text": np.where(with_text, text, None),
        "_discarded": thumb_values[np.where(kind == 2, t.thumb[turn], -1)],
    }


def _discards_table(actions: dict[str, Column]) -> dict[str, Column]:
    """One `rudder_discards` row per loaded action row whose value was dropped."""
    rows = np.flatnonzero(pd.notna(actions["_discarded"]))
    value = actions["_discarded"][rows]
    is_bool = np.isin(value.astype(str), ["true", "false"])
    reasons = np.array(
        [DISCARD_REASON.format("string"), DISCARD_REASON.format("boolean")], dtype=object
    )
    return {
        "table_name": _constant(len(rows), ACTION_TABLE),
        "row_id": actions["id"][rows],
        "column_name": _constant(len(rows), FEEDBACK_VALUE_COLUMN),
        "column_value": value,
        "received_at": actions["received_at"][rows],
        "uuid_ts": actions["uuid_ts"][rows],
        "reason": reasons[is_bool.astype(np.int64)],
    }


# ---------------------------------------------------------------------------
# Standard columns and delivery
# ---------------------------------------------------------------------------


def _standard_columns(
    rng: np.random.Generator,
    table: str,
    world: _World,
    turn: Ints,
    event_ms: Ints,
    *,
    server: bool,
    q: Quirks,
) -> dict[str, Column]:
    """Identity, library, session and timestamp columns of each event row.

    Browser events carry the session and the client's clock skew; server
    events (answers) carry neither.
    """
    n = len(turn)
    user = world.turn_user[turn]
    session = world.turn_session[turn]
    skew = np.zeros(n, dtype=np.int64) if server else world.session_skew_ms[session]
    cols: dict[str, Column] = {
        "id": _hex_ids(rng, n, uuid=True),
        "anonymous_id": world.users.anonymous_id[user],
        "user_id": world.users.user_id[user],
        "event": _constant(n, table),
        "event_text": _constant(n, table),
        **_delivery_times(rng, event_ms, skew, server, q.late_arrival_rate),
        "channel": _constant(n, "server" if server else "web"),
        "context_session_start": pd.arrays.BooleanArray(
            np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        ),
    }
    if server:
        cols["context_library_name"] = _constant(n, SERVER_LIBRARY[0])
        cols["context_library_version"] = _constant(n, SERVER_LIBRARY[1])
        cols["context_locale"] = _constant(n, None)
        cols["context_session_id"] = _int_array(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    else:
        cols["context_library_name"] = _constant(n, JS_LIBRARY[0])
        cols["context_library_version"] = world.users.js_version[user]
        cols["context_locale"] = world.users.locale[user]
        cols["context_session_id"] = _int_array(world.session_id_ms[session])
    return cols


def _delivery_times(
    rng: np.random.Generator, event_ms: Ints, skew_ms: Ints, server: bool, late_rate: float
) -> dict[str, Ints]:
    """The four RudderStack timestamps around an event, in microseconds.

    With network delay n, send delay d and client skew s (<= 0):
    original_timestamp = t - n + s, sent_at = original_timestamp + d,
    received_at = t + d, so RudderStack's skew correction
    received_at - (sent_at - original_timestamp) gives back exactly t. A
    late event was queued on the client (offline) for one to three days.
    """
    n = len(event_ms)
    network = _lognormal_ms(rng, n, 80, 0.6, 5, 2000)
    send = rng.exponential(400.0 if server else 150.0, n).astype(np.int64)
    late = rng.random(n) < late_rate
    send = np.where(late, rng.integers(DAY_MS, 3 * DAY_MS, n), send)
    original = event_ms - network + skew_ms
    received = event_ms + send
    return {
        "timestamp": event_ms * MS,
        "original_timestamp": original * MS,
        "sent_at": (original + send) * MS,
        "received_at": received * MS,
        "uuid_ts": received * MS + _load_delay_us(rng, n),
    }


def _load_delay_us(rng: np.random.Generator, n: int) -> Ints:
    """Time from RudderStack's receipt to the warehouse load (uuid_ts)."""
    return (2_000_000 + np.minimum(rng.exponential(8 * 60e6, n), 45 * 60e6)).astype(np.int64)


def _duplicate_and_order(
    rng: np.random.Generator, cols: dict[str, Column], keep: Bools, q: Quirks
) -> dict[str, Column]:
    """Drop lost rows, re-deliver a share of the rest, and order rows by load.

    A re-delivered copy is identical except for a later `received_at` (seconds
    to hours) and a `uuid_ts` in a load after the original's. All columns are
    gathered with one index array, so no table is ever concatenated; each is
    taken out of `cols` as it is gathered, so a table is never held twice.
    """
    base = np.flatnonzero(keep)
    copies = base[rng.random(len(base)) < q.duplicate_rate]
    rows = np.r_[base, copies]
    received = cols["received_at"][rows]
    uuid_ts = cols["uuid_ts"][rows]
    later = np.exp(rng.uniform(np.log(2e6), np.log(6 * 3600e6), len(copies))).astype(np.int64)
    received[len(base) :] += later
    uuid_ts[len(base) :] = np.maximum(received[len(base) :], uuid_ts[len(base) :]) + _load_delay_us(
        rng, len(copies)
    )
    order = np.argsort(uuid_ts, kind="stable")
    index = rows[order]
    out = {name: cols.pop(name)[index] for name in list(cols)}
    out["received_at"], out["uuid_ts"] = received[order], uuid_ts[order]
    return out


def _variants(value: str) -> tuple[str, ...]:
    """A value as sent, then the spellings real clients produce (case, spaces)."""
    title = value.replace("gpt", "GPT") if value.startswith("gpt") else value.title()
    upper = value.upper()
    return (
        value,
        title,
        upper,
        f" {title}",
        f"{title} ",
        f" {title} ",
        f"{upper} ",
        f" {value}",
        f"{value} ",
    )


def _enum(
    rng: np.random.Generator, values: tuple[str, ...], code: Ints, odd_rate: float
) -> Objects:
    """Enum-like text from codes (-1 = NULL), a share of it oddly cased."""
    spellings = [_variants(v) for v in values]
    width = len(spellings[0])
    pool = np.array([s for group in spellings for s in group], dtype=object)
    odd = rng.random(len(code)) < odd_rate
    variant = np.where(odd, rng.integers(1, width, len(code)), 0)
    return _lookup(pool, np.where(code >= 0, code * width + variant, -1))


def _constant(n: int, value: str | None) -> Objects:
    """A column holding one value; `fill` shares the object (np.full would copy it per row)."""
    column = np.empty(n, dtype=object)
    column.fill(value)
    return column


def _lookup(pool: Objects, code: Ints) -> Objects:
    """pool[code] with -1 meaning NULL; rows share the pool's string objects."""
    return np.append(pool, None).astype(object)[code]


def _int_array(values: Ints, null: Bools | None = None) -> pd.arrays.IntegerArray:
    """A nullable BIGINT column."""
    mask = np.zeros(len(values), dtype=bool) if null is None else np.asarray(null, dtype=bool)
    return pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), mask)


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_ids(
    rng: np.random.Generator,
    n: int,
    *,
    n_bytes: int = 16,
    prefix: str = "",
    uuid: bool = False,
    arrow: bool = False,
) -> Objects:
    """Random hex ids (optionally UUIDv4-shaped) built as bytes, not per row.

    Bytes come from the run's generator, so ids are deterministic; the text is
    assembled as a byte matrix and turned into Python strings by Arrow in C,
    or with `arrow` kept as Arrow text (half the memory of Python strings).
    """
    raw = rng.integers(0, 256, size=(n, n_bytes), dtype=np.uint8)
    if uuid:
        raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
        raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.empty((n, 2 * n_bytes), dtype=np.uint8)
    digits[:, 0::2] = _HEX_DIGITS[raw >> 4]
    digits[:, 1::2] = _HEX_DIGITS[raw & 0x0F]
    parts = [np.broadcast_to(np.frombuffer(prefix.encode(), dtype=np.uint8), (n, len(prefix)))]
    if uuid:
        dash = np.full((n, 1), ord("-"), dtype=np.uint8)
        parts += [digits[:, :8], dash, digits[:, 8:12], dash, digits[:, 12:16], dash]
        parts += [digits[:, 16:20], dash, digits[:, 20:]]
    else:
        parts.append(digits)
    chars = np.ascontiguousarray(np.concatenate(parts, axis=1))
    offsets = np.arange(n + 1, dtype=np.int64) * chars.shape[1]
    strings = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars))
    if arrow:  # pandas' own `str` dtype
        return pd.arrays.ArrowStringArray(strings, dtype=pd.StringDtype("pyarrow", np.nan))
    return strings.to_numpy(zero_copy_only=False)


def _frame(table: str, cols: dict[str, Column]) -> pd.DataFrame:
    """Assemble the declared columns, in declared order, with pandas dtypes."""
    return pd.DataFrame({name: _series(cols[name], kind) for name, kind in SCHEMAS[table]})


def _series(values: Column, kind: ColumnType) -> pd.Series:
    """One column with the dtype the contract maps `kind` to."""
    if kind == "varchar":
        return pd.Series(values, dtype=object)
    if kind == "timestamptz":
        return pd.Series(np.asarray(values, dtype=np.int64).view("datetime64[us]")).dt.tz_localize(
            "UTC"
        )
    if kind == "double":
        return pd.Series(np.asarray(values, dtype=np.float64))
    return pd.Series(values)
