"""A second, independent implementation of every mart, in pandas.

The test suite loads raw RudderStack tables into a warehouse, builds the dbt
package, and compares each mart with what :func:`expected_marts` computes from
the same raw tables. The rules are those of ``docs/definitions.md``, read
literally; this module never looks at the SQL, so a shared misreading shows up
as a disagreement instead of passing silently.

Output contract of :func:`expected_marts` (one DataFrame per mart):

- exactly the contract columns of each mart, in the order of ``MART_COLUMNS``,
  one row per grain value, rows sorted by the grain;
- timestamps (``*_at``) are naive UTC ``datetime64[us]``;
- days (``date_day``, ``cohort_week``) are naive midnight ``datetime64[us]``
  (what DuckDB's ``DATE`` becomes in ``.df()``);
- counts are ``int64`` (0, never NULL);
- every other number is ``float64``, NaN where the SQL gives NULL (a sum over
  no non-NULL values, an average over nothing, a ratio with a zero
  denominator, the answer's missing latency);
- text is ``object`` dtype with ``None`` for NULL.

Scope: spec v0.1 and v0.3, alone or mixed in the same tables. The batch
classifier's labels are an input (``classifier_labels``: what the classifier
model stored, which its own tests check); this module decides where they
apply: step 4 of the precedence, after the three event steps, then step 5
(``not_sampled``: the user's bucket ``int(md5(user_key)[:8], 16) % 100`` is
not below ``sample_pct`` and the user is not in ``cohort``) and step 6
(``unclassified``).

Where docs/definitions.md is silent, the oracle decides as follows (each
choice is repeated where it is coded):

- interaction ids are trimmed text, blank is NULL (like conversation ids),
  compared exactly;
- "latest" / "earliest" by `event_at` put a NULL `event_at` last both ways
  (SQL `nulls last`): such a row is chosen only when no row has a time;
- a response or action matched on its interaction id needs no conversation
  and no time order; the matched prompt may have a NULL `event_at`;
- v0.1 responses read `time_to_first_token_ms`, `outcome`, `llm_call_count`
  and `tool_call_count` by the same names as v0.3 ones (all-NULL in practice);
- an outcome is any non-NULL `lower(trim(outcome))`; a value outside the five
  counts in `turns_with_outcome` but in none of the per-value columns;
- model calls: cost is `cost_usd` as sent (no price derivation); a v0.3
  response without an interaction id has no model-call rows, so its
  `usage_breakdown` counts; a breakdown that is not a JSON array of objects
  yields no entries; a missing `call_count`/`error_count` counts 0;
- evaluation scores: `evaluation_name`, `evaluator` and `score_label` are
  enum-like (lowercased and trimmed, blank is NULL; a missing name or
  evaluator is the grain value `unknown`); `sampled` filters nothing; the interaction's prompt is
  the latest prompt with that interaction id;
- OpenTelemetry spans: a v0.3 response's completion id is that of the last
  model call of its interaction without an `error_type` (latest `event_at`,
  ties: the larger `id`, a NULL time never the latest); a v0.1 response's is
  its own `response_id`; only v0.1 rows of `ai_llm_response_received` read
  `response_id` and `provider`, only v0.3 responses `primary_provider`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

PROMPTS = "ai_user_prompt_created"
RESPONSES = "ai_llm_response_received"
RESPONSES_V03 = "ai_response_received"
ACTIONS = "ai_user_action"
CLASSIFIED = "ai_interaction_classified"
SCORED = "ai_interaction_scored"
DISCARDS = "rudder_discards"

OUTCOMES = ("resolved", "partial", "unresolved", "escalated", "unclear")
# Action types counted in their own columns: (action_type, column).
ACTION_COUNTS = (
    ("regenerated", "regenerations"),
    ("copied_response", "copies"),
    ("shared", "shares"),
    ("reported", "reports"),
    ("accepted", "acceptances"),
    ("rejected", "rejections"),
    ("edited", "edits"),
    ("clicked_through", "click_throughs"),
    ("feedback_retracted", "retractions"),
)

THUMBS_UP = frozenset({"true", "up", "1", "yes"})
THUMBS_DOWN = frozenset({"false", "down", "0", "no"})
# What "reads as a number" means for a feedback value: a plain decimal
# literal (optionally signed, optionally with an exponent). `nan`/`inf` are
# not ratings.
_SNAPSHOT = re.compile(r"\d{4}-?\d{2}-?\d{2}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# Column kinds used to give every mart the same dtypes whatever the data.
TEXT, TS, DAY, INT, FLOAT, BOOL = "text", "ts", "day", "int", "float", "bool"

MART_COLUMNS: dict[str, dict[str, str]] = {
    "fct_ai_prompt_turns": {
        "prompt_event_id": TEXT,
        "conversation_id": TEXT,
        "user_key": TEXT,
        "prompt_at": TS,
        "intent": TEXT,
        "intent_source": TEXT,
        "response_status": TEXT,
        "latency_ms": FLOAT,
        "prompt_tokens": FLOAT,
        "completion_tokens": FLOAT,
        "total_tokens": FLOAT,
        "cost_usd": FLOAT,
        "model_used": TEXT,
        "responses": INT,
        "rating_count": INT,
        "avg_rating": FLOAT,
        "rating_sum": FLOAT,
        "is_identified_user": BOOL,
        "thumbs_up_count": INT,
        "thumbs_down_count": INT,
        "feedback_events": INT,
        "regenerations": INT,
        "copies": INT,
        "shares": INT,
        "reports": INT,
        "interaction_id": TEXT,
        "time_to_first_token_ms": FLOAT,
        "outcome": TEXT,
        "llm_calls": FLOAT,
        "tool_calls": FLOAT,
        "acceptances": INT,
        "rejections": INT,
        "edits": INT,
        "click_throughs": INT,
        "retractions": INT,
    },
    "fct_ai_conversations": {
        "conversation_id": TEXT,
        "user_key": TEXT,
        "started_at": TS,
        "ended_at": TS,
        "prompts": INT,
        "responses": INT,
        "errors": INT,
        "total_cost_usd": FLOAT,
        "first_intent": TEXT,
    },
    "ai_engagement_by_user": {
        "user_key": TEXT,
        "conversations": INT,
        "prompts": INT,
        "avg_prompts_per_conversation": FLOAT,
        "first_prompt_at": TS,
        "last_prompt_at": TS,
        "active_days": INT,
    },
    "ai_engagement_daily": {
        "date_day": DAY,
        "active_users": INT,
        "conversations": INT,
        "prompts": INT,
        "responses": INT,
    },
    "ai_intent_distribution": {
        "intent": TEXT,
        "prompts": INT,
        "pct_of_prompts": FLOAT,
    },
    "ai_latency_by_intent": {
        "intent": TEXT,
        "responses": INT,
        "avg_latency_ms": FLOAT,
        "p50_latency_ms": FLOAT,
        "p95_latency_ms": FLOAT,
        "p99_latency_ms": FLOAT,
        "p50_time_to_first_token_ms": FLOAT,
        "p95_time_to_first_token_ms": FLOAT,
    },
    "ai_model_performance_daily": {
        "date_day": DAY,
        "model_used": TEXT,
        "responses": INT,
        "errors": INT,
        "timeouts": INT,
        "error_rate": FLOAT,
        "p95_latency_ms": FLOAT,
        "incompletes": INT,
        "cancellations": INT,
        "pauses": INT,
        "p95_time_to_first_token_ms": FLOAT,
    },
    "ai_cost_daily": {
        "date_day": DAY,
        "model_used": TEXT,
        "responses": INT,
        "conversations": INT,
        "total_cost_usd": FLOAT,
        "prompt_tokens": FLOAT,
        "completion_tokens": FLOAT,
        "total_tokens": FLOAT,
        "cost_per_conversation_usd": FLOAT,
    },
    "ai_satisfaction_by_intent": {
        "intent": TEXT,
        "feedback_events": INT,
        "ratings": INT,
        "avg_rating": FLOAT,
        "thumbs": INT,
        "thumbs_up_rate": FLOAT,
        "regenerations": INT,
        "retractions": INT,
        "acceptances": INT,
        "rejections": INT,
        "edits": INT,
        "click_throughs": INT,
    },
    "ai_intent_transitions": {
        "from_intent": TEXT,
        "to_intent": TEXT,
        "transitions": INT,
    },
    "fct_ai_intent_transitions": {
        "prompt_event_id": TEXT,
        "conversation_id": TEXT,
        "user_key": TEXT,
        "prompt_at": TS,
        "from_intent": TEXT,
        "to_intent": TEXT,
    },
    "fct_ai_sessions": {
        "user_key": TEXT,
        "session_id": TEXT,
        "started_at": TS,
        "ended_at": TS,
        "conversations": INT,
        "prompts": INT,
    },
    "ai_retention_weekly": {
        "cohort_week": DAY,
        "weeks_since_first": INT,
        "cohort_users": INT,
        "active_users": INT,
        "retention_pct": FLOAT,
    },
    "ai_outcomes_daily": {
        "date_day": DAY,
        "intent": TEXT,
        "turns_with_outcome": INT,
        "resolved": INT,
        "partial": INT,
        "unresolved": INT,
        "escalated": INT,
        "unclear": INT,
        "resolution_rate": FLOAT,
    },
    "ai_model_calls_daily": {
        "date_day": DAY,
        "model_used": TEXT,
        "calls": INT,
        "errors": INT,
        "prompt_tokens": FLOAT,
        "completion_tokens": FLOAT,
        "total_tokens": FLOAT,
        "cost_usd": FLOAT,
        "calls_from_events": INT,
        "calls_from_breakdown": INT,
    },
    "ai_evaluation_scores": {
        "intent": TEXT,
        "evaluation_name": TEXT,
        "evaluator": TEXT,
        "scores": INT,
        "numeric_scores": INT,
        "avg_score": FLOAT,
        "min_score": FLOAT,
        "max_score": FLOAT,
        "labelled_scores": INT,
    },
    "ai_otel_genai_spans": {
        "response_event_id": TEXT,
        "prompt_event_id": TEXT,
        "user_key": TEXT,
        "gen_ai.operation.name": TEXT,
        "gen_ai.provider.name": TEXT,
        "gen_ai.system": TEXT,
        "gen_ai.conversation.id": TEXT,
        "gen_ai.response.id": TEXT,
        "gen_ai.response.model": TEXT,
        "gen_ai.response.finish_reasons": TEXT,
        "gen_ai.usage.input_tokens": FLOAT,
        "gen_ai.usage.output_tokens": FLOAT,
        "error.type": TEXT,
        "ai_product_analytics.interaction_id": TEXT,
        "ai_product_analytics.intent": TEXT,
        "ai_product_analytics.response_status": TEXT,
        "ai_product_analytics.usage.total_tokens": FLOAT,
        "ai_product_analytics.cost_usd": FLOAT,
        "ai_product_analytics.is_cost_derived": INT,
        "ai_product_analytics.time_to_first_token_ms": FLOAT,
        "ai_product_analytics.llm_call_count": FLOAT,
        "ai_product_analytics.tool_call_count": FLOAT,
        "span_started_at": TS,
        "span_ended_at": TS,
        "span_duration_ms": FLOAT,
        "date_day": DAY,
    },
    "ai_classification_coverage": {
        "date_day": DAY,
        "prompts": INT,
        "from_event": INT,
        "from_interaction_classified": INT,
        "from_response": INT,
        "from_classifier_offline": INT,
        "from_classifier_llm": INT,
        "not_sampled": INT,
        "classification_errors": INT,
        "unclassified": INT,
        "classified_pct": FLOAT,
        "sampling_pct": FLOAT,
        "truncated_cost_responses": INT,
        "is_cost_truncated_by_loader": BOOL,
    },
    "ai_quarantine_daily": {
        "date_day": DAY,
        "table_name": TEXT,
        "reason": TEXT,
        "event_rows": INT,
        "excluded_rows": INT,
    },
}

MART_GRAINS: dict[str, list[str]] = {
    "fct_ai_prompt_turns": ["prompt_event_id"],
    "fct_ai_conversations": ["conversation_id"],
    "ai_engagement_by_user": ["user_key"],
    "ai_engagement_daily": ["date_day"],
    "ai_intent_distribution": ["intent"],
    "ai_latency_by_intent": ["intent"],
    "ai_model_performance_daily": ["date_day", "model_used"],
    "ai_cost_daily": ["date_day", "model_used"],
    "ai_satisfaction_by_intent": ["intent"],
    "ai_intent_transitions": ["from_intent", "to_intent"],
    "fct_ai_intent_transitions": ["prompt_event_id"],
    "fct_ai_sessions": ["user_key", "session_id"],
    "ai_retention_weekly": ["cohort_week", "weeks_since_first"],
    "ai_outcomes_daily": ["date_day", "intent"],
    "ai_model_calls_daily": ["date_day", "model_used"],
    "ai_evaluation_scores": ["intent", "evaluation_name", "evaluator"],
    "ai_classification_coverage": ["date_day"],
    "ai_otel_genai_spans": ["response_event_id"],
    "ai_quarantine_daily": ["date_day", "table_name", "reason"],
}


# --------------------------------------------------------------------------
# Scalar and column helpers
# --------------------------------------------------------------------------


def _value_text(value: object) -> str | None:
    """A cell as SQL text: what `cast(value as varchar)` of the loaded type gives.

    Booleans become `true`/`false`; whole floats become integers (`1.0` ->
    `1`), because the raw columns are bigint and pandas turns a bigint column
    with NULLs into float64.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isfinite(number) and number.is_integer():
            return str(int(number))
        return repr(number)
    return str(value)


def _text(series: pd.Series) -> pd.Series:
    """Column as object-dtype text, None for NULL."""
    return pd.Series([_value_text(v) for v in series], index=series.index, dtype=object)


def _trimmed(series: pd.Series) -> pd.Series:
    """SQL `nullif(trim(value), '')`: spaces trimmed, blank is NULL."""
    out = [None if v is None else (v.strip(" ") or None) for v in _text(series)]
    return pd.Series(out, index=series.index, dtype=object)


def _enum(series: pd.Series) -> pd.Series:
    """`lower(trim(value))`, blank is NULL."""
    out = [None if v is None else v.lower() for v in _trimmed(series)]
    return pd.Series(out, index=series.index, dtype=object)


def _number(series: pd.Series) -> pd.Series:
    """float64 of a column; text that does not read as a number is NULL."""
    out = [
        float(v) if v is not None and _NUMBER.fullmatch(v.strip(" ")) else np.nan
        for v in _text(series)
    ]
    return pd.Series(out, index=series.index, dtype="float64")


def _utc(series: pd.Series) -> pd.Series:
    """Time-zone-aware timestamps as naive UTC `datetime64[us]`."""
    if len(series) == 0 or series.isna().all():
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    converted = pd.to_datetime(series, utc=True)
    return converted.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an all-NULL one when the loader never created it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _sql_sum(series: pd.Series) -> float:
    """SQL `sum`: NULL (NaN) over no non-NULL values."""
    return float(series.sum(min_count=1))


def _sql_avg(series: pd.Series) -> float:
    return float(series.mean()) if series.notna().any() else np.nan


def _ratio(numerator: float, denominator: float, scale: float = 1.0) -> float:
    """numerator / denominator, NULL when the denominator is 0 or NULL."""
    if pd.isna(numerator) or pd.isna(denominator) or denominator == 0:
        return np.nan
    return scale * float(numerator) / float(denominator)


def percentile_cont(values: Iterable[float], fraction: float) -> float:
    """SQL `percentile_cont(fraction)`: linear interpolation, NULL when empty."""
    array = np.asarray([v for v in values if not pd.isna(v)], dtype="float64")
    if array.size == 0:
        return np.nan
    return float(np.percentile(array, fraction * 100, method="linear"))


def _distinct(series: pd.Series) -> int:
    """SQL `count(distinct x)`: NULLs are not counted."""
    return int(series.dropna().nunique())


def _conform(frame: pd.DataFrame, mart: str) -> pd.DataFrame:
    """Exactly the contract columns, with fixed dtypes, sorted by the grain."""
    schema = MART_COLUMNS[mart]
    out = pd.DataFrame(index=range(len(frame)))
    frame = frame.reset_index(drop=True)
    for column, kind in schema.items():
        values = (
            frame[column]
            if column in frame.columns
            else pd.Series([None] * len(frame), dtype=object)
        )
        if kind == TEXT:
            out[column] = _text(values)
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


# --------------------------------------------------------------------------
# Staging
# --------------------------------------------------------------------------


def _latest_first(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows ordered so the last of each `by` group has the latest
    `received_at`, ties broken by the latest `uuid_ts` (NULL load times are
    the oldest)."""
    keyed = frame.assign(
        _received=_utc(_col(frame, "received_at")),
        _uuid_ts=_utc(_col(frame, "uuid_ts")),
    )
    keyed = keyed.sort_values([*by, "_received", "_uuid_ts"], na_position="first", kind="stable")
    return keyed.drop(columns=["_received", "_uuid_ts"])


def _deduplicated(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per event `id` (latest load wins); rows without an id dropped."""
    frame = frame.assign(id=_trimmed(_col(frame, "id")))
    frame = frame[frame["id"].notna()]
    frame = _latest_first(frame, ["id"])
    return frame.drop_duplicates("id", keep="last").reset_index(drop=True)


def _recover_discards(frame: pd.DataFrame, table: str, discards: pd.DataFrame) -> pd.DataFrame:
    """Put values the loader moved to `rudder_discards` back into NULL cells.

    A discard is matched on (`table_name`, `row_id`, `column_name`), names
    compared case-insensitively; when one cell was discarded more than once,
    the latest discard (by `received_at`, then `uuid_ts`) wins. The value
    comes back as text; the staging step types it.
    """
    if discards.empty or frame.empty:
        return frame
    found = pd.DataFrame(
        {
            "table_name": _enum(_col(discards, "table_name")),
            "row_id": _text(_col(discards, "row_id")),
            "column_name": _enum(_col(discards, "column_name")),
            "column_value": _text(_col(discards, "column_value")),
            "received_at": _col(discards, "received_at"),
            "uuid_ts": _col(discards, "uuid_ts"),
        }
    )
    found = found[(found["table_name"] == table) & found["row_id"].notna()]
    found = found[found["column_name"].notna()]
    if found.empty:
        return frame
    found = _latest_first(found, ["row_id", "column_name"])
    found = found.drop_duplicates(["row_id", "column_name"], keep="last")
    frame = frame.copy()
    for column, values in found.groupby("column_name"):
        recovered = values.set_index("row_id")["column_value"]
        current = _col(frame, str(column)).astype(object)
        replacement = frame["id"].map(recovered)
        frame[str(column)] = current.where(current.notna(), replacement)
    return frame


def _read(raw: dict[str, pd.DataFrame], table: str) -> pd.DataFrame:
    frame = raw.get(table)
    if frame is None:
        frame = pd.DataFrame()
    discards = raw.get(DISCARDS)
    if discards is None:
        discards = pd.DataFrame()
    return _recover_discards(_deduplicated(frame), table, discards)


def _valid_label(frame: pd.DataFrame, taxonomy: set[str]) -> pd.Series:
    """The event's own intent label when valid: `classified_intent`, else
    (v0.3) `intent`; NULL when neither is in the taxonomy."""
    label = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for column in ("classified_intent", "intent"):
        candidate = _enum(_col(frame, column))
        candidate = candidate.where(candidate.isin(taxonomy))
        label = label.where(label.notna(), candidate)
    return label.astype(object).where(label.notna(), None)


def _none(series: pd.Series) -> pd.Series:
    """object dtype with None for NULL (what `map` and `where` leave as NaN)."""
    return series.astype(object).where(series.notna(), None)


def _common(frame: pd.DataFrame, taxonomy: set[str]) -> pd.DataFrame:
    """Columns every staged event has."""
    user_id = _trimmed(_col(frame, "user_id"))
    user_present = user_id.notna()
    event_at = _utc(_col(frame, "timestamp"))
    return pd.DataFrame(
        {
            "event_id": frame["id"].astype(object),
            "event_at": event_at,
            "date_day": event_at.dt.floor("D"),
            "user_key": user_id.where(user_present, _trimmed(_col(frame, "anonymous_id"))),
            "is_identified_user": user_present,
            "conversation_id": _trimmed(_col(frame, "conversation_id")),
            # Not an enum: trimmed text, blank is NULL, like conversation ids.
            "interaction_id": _trimmed(_col(frame, "interaction_id")),
            "session_id": _trimmed(_col(frame, "context_session_id")),
            "own_intent": _valid_label(frame, taxonomy),
        },
        index=frame.index,
    )


def _stage_prompts(raw: dict[str, pd.DataFrame], taxonomy: set[str]) -> pd.DataFrame:
    frame = _read(raw, PROMPTS)
    staged = _common(frame, taxonomy)
    staged["input_method"] = _enum(_col(frame, "input_method"))
    return staged.reset_index(drop=True)


# Where each generation of response keeps its tokens, cost and model.
_V01_TOTALS = {
    "prompt_tokens": "token_count_prompt_tokens",
    "completion_tokens": "token_count_completion_tokens",
    "total_tokens": "token_count_total_tokens",
    "event_cost_usd": "cost",
    "model_used": "model_used",
    "provider": "provider",
}
_V03_TOTALS = {
    "prompt_tokens": "total_input_tokens",
    "completion_tokens": "total_output_tokens",
    "total_tokens": "total_tokens",
    "event_cost_usd": "total_cost_usd",
    "model_used": "primary_model",
    "provider": "primary_provider",
}


def _response_rows(
    frame: pd.DataFrame,
    taxonomy: set[str],
    totals: dict[str, str],
    is_v03: bool,
    cost_is_integer: bool,
) -> pd.DataFrame:
    """Staged responses of one table. Columns other than tokens, cost and
    model have the same name in both generations (a v0.1 row simply lacks
    the v0.3 ones). `cost_is_integer`: the warehouse holds the table's cost
    column as an integer, so every cost reported in it is truncated."""
    staged = _common(frame, taxonomy)
    staged["is_v03"] = pd.Series(is_v03, index=staged.index, dtype=bool)
    staged["response_status"] = _enum(_col(frame, "response_status"))
    staged["latency_ms"] = _number(_col(frame, "latency_ms"))
    staged["time_to_first_token_ms"] = _number(_col(frame, "time_to_first_token_ms"))
    staged["prompt_tokens"] = _number(_col(frame, totals["prompt_tokens"]))
    staged["completion_tokens"] = _number(_col(frame, totals["completion_tokens"]))
    staged["total_tokens"] = _number(_col(frame, totals["total_tokens"])).fillna(
        staged["prompt_tokens"] + staged["completion_tokens"]
    )
    staged["model_used"] = _enum(_col(frame, totals["model_used"]))
    staged["provider"] = _enum(_col(frame, totals["provider"]))
    staged["finish_reason"] = _enum(_col(frame, "finish_reason"))
    staged["error_type"] = _trimmed(_col(frame, "error_type"))
    # The provider's completion id: v0.3 responses take their last call's (`stage`).
    staged["response_id"] = (
        pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if is_v03
        else _trimmed(_col(frame, "response_id"))
    )
    staged["event_cost_usd"] = _number(_col(frame, totals["event_cost_usd"]))
    staged["is_cost_truncated"] = cost_is_integer & staged["event_cost_usd"].notna()
    staged["outcome"] = _enum(_col(frame, "outcome"))
    staged["llm_call_count"] = _number(_col(frame, "llm_call_count"))
    staged["tool_call_count"] = _number(_col(frame, "tool_call_count"))
    # Only read for v0.3 rows (see `_breakdown_calls`).
    staged["usage_breakdown"] = _col(frame, "usage_breakdown").astype(object)
    return staged


def _stage_responses(
    raw: dict[str, pd.DataFrame],
    taxonomy: set[str],
    prices: pd.DataFrame,
    integer_cost_columns: frozenset[tuple[str, str]],
) -> pd.DataFrame:
    v01 = _read(raw, RESPONSES)
    # v0.3 per-call rows carry an interaction_id: a breakdown, not a response.
    v01 = v01[_trimmed(_col(v01, "interaction_id")).isna()]
    v03 = _read(raw, RESPONSES_V03)
    staged = pd.concat(
        [
            _response_rows(
                v01,
                taxonomy,
                _V01_TOTALS,
                is_v03=False,
                cost_is_integer=(RESPONSES, _V01_TOTALS["event_cost_usd"]) in integer_cost_columns,
            ),
            _response_rows(
                v03,
                taxonomy,
                _V03_TOTALS,
                is_v03=True,
                cost_is_integer=(RESPONSES_V03, _V03_TOTALS["event_cost_usd"])
                in integer_cost_columns,
            ),
        ],
        ignore_index=True,
    )
    derived = _derived_cost(staged, prices)
    staged["is_cost_derived"] = staged["event_cost_usd"].isna() & derived.notna()
    staged["cost_usd"] = staged["event_cost_usd"].fillna(derived)
    return staged


def _stage_model_calls(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """v0.3 model calls: rows of `ai_llm_response_received` with an
    `interaction_id`, one call each, on the call's own UTC day."""
    frame = _read(raw, RESPONSES)
    frame = frame[_trimmed(_col(frame, "interaction_id")).notna()]
    event_at = _utc(_col(frame, "timestamp"))
    input_tokens = _number(_col(frame, "input_tokens"))
    output_tokens = _number(_col(frame, "output_tokens"))
    calls = pd.DataFrame(
        {
            "interaction_id": _trimmed(_col(frame, "interaction_id")),
            "date_day": event_at.dt.floor("D"),
            "model_used": _enum(_col(frame, "model")),
            "calls": 1,
            "errors": _trimmed(_col(frame, "error_type")).notna().astype("int64"),
            "prompt_tokens": input_tokens,
            "completion_tokens": output_tokens,
            "total_tokens": _number(_col(frame, "total_tokens")).fillna(
                input_tokens + output_tokens
            ),
            # As sent: the oracle derives no price for a single call.
            "cost_usd": _number(_col(frame, "cost_usd")),
            "from_breakdown": False,
        },
        index=frame.index,
    )
    return calls.reset_index(drop=True)


def _last_successful_call_ids(raw: dict[str, pd.DataFrame]) -> pd.Series:
    """Per interaction id, the `response_id` of its last v0.3 model call that
    succeeded (no `error_type`): the latest `event_at`, ties the larger `id`,
    a NULL time never the latest. That call's model is `primary_model`."""
    frame = _read(raw, RESPONSES)
    calls = pd.DataFrame(
        {
            "event_id": frame["id"].astype(object),
            "event_at": _utc(_col(frame, "timestamp")),
            "interaction_id": _trimmed(_col(frame, "interaction_id")),
            "response_id": _trimmed(_col(frame, "response_id")),
            "failed": _trimmed(_col(frame, "error_type")).notna(),
        },
        index=frame.index,
    )
    succeeded = calls[calls["interaction_id"].notna() & ~calls["failed"]]
    return _latest_per(succeeded, "interaction_id")["response_id"]


def _breakdown_entries(value: object) -> list[dict[str, object]]:
    """The objects of a `usage_breakdown` JSON array. NULL, malformed JSON,
    or JSON that is not an array (a lone object included) has none; array
    elements that are not objects are skipped."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return []
    else:
        parsed = value
    if not isinstance(parsed, list):
        return []
    return [entry for entry in parsed if isinstance(entry, dict)]


def _entry_number(entry: dict[str, object], key: str) -> float:
    """A breakdown field that reads as a number (JSON number or numeric
    text; booleans are not numbers), else NaN."""
    text = _value_text(entry.get(key))
    if text is None or not _NUMBER.fullmatch(text.strip(" ")):
        return np.nan
    return float(text)


def _entry_model(entry: dict[str, object]) -> str | None:
    text = _value_text(entry.get("model"))
    return None if text is None else (text.strip(" ").lower() or None)


def _breakdown_calls(responses: pd.DataFrame, model_calls: pd.DataFrame) -> pd.DataFrame:
    """Calls from the `usage_breakdown` of v0.3 responses whose interaction
    has no model-call rows (a response without an interaction id has none),
    on the response's day. A missing `call_count` / `error_count` is 0; total
    tokens are input + output; cost is `cost_usd` or NULL."""
    called = set(model_calls["interaction_id"])
    owners = responses[responses["is_v03"] & ~responses["interaction_id"].isin(called)]
    rows = []
    for date_day, breakdown in zip(owners["date_day"], owners["usage_breakdown"], strict=True):
        for entry in _breakdown_entries(breakdown):
            input_tokens = _entry_number(entry, "input_tokens")
            output_tokens = _entry_number(entry, "output_tokens")
            calls = _entry_number(entry, "call_count")
            errors = _entry_number(entry, "error_count")
            rows.append(
                {
                    "date_day": date_day,
                    "model_used": _entry_model(entry),
                    "calls": 0 if math.isnan(calls) else calls,
                    "errors": 0 if math.isnan(errors) else errors,
                    "prompt_tokens": input_tokens,
                    "completion_tokens": output_tokens,
                    "total_tokens": input_tokens + output_tokens,
                    "cost_usd": _entry_number(entry, "cost_usd"),
                    "from_breakdown": True,
                }
            )
    columns = [c for c in model_calls.columns if c != "interaction_id"]
    return pd.DataFrame(rows, columns=columns)


def _derived_cost(responses: pd.DataFrame, prices: pd.DataFrame) -> pd.Series:
    """Cost from the price seed for responses with tokens and model.

    The price row is the model's row valid on the response's UTC day
    (`valid_from <= date_day < valid_to`, open when `valid_to` is empty). A
    price also applies to dated snapshots of its model (`<model>-YYYY-MM-DD`,
    `<model>-YYYYMMDD`); the exact name wins over a snapshot match, a longer
    model name over a shorter one, and a later `valid_from` over an earlier.
    """
    result = pd.Series(np.nan, index=responses.index, dtype="float64")
    if responses.empty or prices.empty:
        return result
    table = pd.DataFrame(
        {
            "model_used": _enum(prices["model"]),
            "input_usd_per_1m": _number(prices["input_usd_per_1m"]),
            "output_usd_per_1m": _number(prices["output_usd_per_1m"]),
            "valid_from": pd.to_datetime(prices["valid_from"]).astype("datetime64[us]"),
            "valid_to": pd.to_datetime(_col(prices, "valid_to")).astype("datetime64[us]"),
        }
    )
    needs = responses[
        responses["event_cost_usd"].isna()
        & responses["model_used"].notna()
        & responses["prompt_tokens"].notna()
        & responses["completion_tokens"].notna()
        & responses["date_day"].notna()
    ]
    table = table.rename(columns={"model_used": "price_model"})
    candidates = needs.reset_index(names="_row").merge(table, how="cross")
    exact = candidates["model_used"] == candidates["price_model"]
    snapshot = [
        used.startswith(model + "-") and bool(_SNAPSHOT.fullmatch(used[len(model) + 1 :]))
        for used, model in zip(candidates["model_used"], candidates["price_model"], strict=True)
    ]
    valid = (
        (exact | pd.Series(snapshot, index=candidates.index, dtype=bool))
        & (candidates["valid_from"] <= candidates["date_day"])
        & (candidates["valid_to"].isna() | (candidates["date_day"] < candidates["valid_to"]))
    )
    candidates = candidates[valid].assign(
        _exact=exact[valid].astype(int), _length=candidates.loc[valid, "price_model"].str.len()
    )
    # Preference: the exact name, then the longest name, then the latest price.
    candidates = candidates.sort_values(["_row", "_exact", "_length", "valid_from"])
    chosen = candidates.drop_duplicates("_row", keep="last").set_index("_row")
    cost = (
        chosen["prompt_tokens"] * chosen["input_usd_per_1m"] / 1e6
        + chosen["completion_tokens"] * chosen["output_usd_per_1m"] / 1e6
    )
    result.loc[cost.index] = cost
    return result


def _feedback_reading(value: str | None) -> tuple[float, bool | None]:
    """(rating, thumb) a feedback value reads as; NaN / None when it does not."""
    if value is None:
        return np.nan, None
    trimmed = value.strip(" ")
    rating = float(trimmed) if _NUMBER.fullmatch(trimmed) else np.nan
    lowered = trimmed.lower()
    thumb = True if lowered in THUMBS_UP else False if lowered in THUMBS_DOWN else None
    return rating, thumb


def _stage_actions(raw: dict[str, pd.DataFrame], taxonomy: set[str]) -> pd.DataFrame:
    frame = _read(raw, ACTIONS)
    staged = _common(frame, taxonomy)
    staged["action_type"] = _enum(_col(frame, "action_type"))
    staged["feedback_type"] = _enum(_col(frame, "action_details_feedback_type"))
    values = _text(_col(frame, "action_details_feedback_value"))
    readings = [_feedback_reading(v) for v in values]
    # Retraction (v0.3): a feedback_retracted of the same interaction at or
    # after the feedback clears it; no interaction id, no retraction.
    interaction = staged["interaction_id"]
    retractions = staged[(staged["action_type"] == "feedback_retracted") & interaction.notna()]
    retracted_at = retractions.groupby("interaction_id")["event_at"].max().to_dict()
    last_retraction = pd.Series(
        [retracted_at.get(i, pd.NaT) for i in interaction],
        index=staged.index,
        dtype="datetime64[us]",
    )
    given = staged["action_type"] == "feedback_given"
    is_retracted = given & interaction.notna() & (last_retraction >= staged["event_at"])
    is_feedback = given & ~is_retracted
    rating = pd.Series([r for r, _ in readings], index=frame.index, dtype="float64")
    thumb = pd.Series([t for _, t in readings], index=frame.index, dtype=object)
    is_rating = is_feedback & (staged["feedback_type"] == "rating") & rating.notna()
    is_thumb = is_feedback & (staged["feedback_type"] == "thumbs") & thumb.notna()
    staged["is_retracted"] = is_retracted
    staged["is_feedback"] = is_feedback
    staged["rating"] = rating.where(is_rating)
    staged["is_thumb_up"] = is_thumb & (thumb == True)  # noqa: E712 (object column)
    staged["is_thumb_down"] = is_thumb & (thumb == False)  # noqa: E712
    staged["is_thumb"] = is_thumb
    return staged.reset_index(drop=True)


def _stage_classifications(raw: dict[str, pd.DataFrame], taxonomy: set[str]) -> pd.DataFrame:
    """`ai_interaction_classified`: `intent` when valid (the table has no
    `classified_intent`), `outcome` as `lower(trim())`."""
    frame = _read(raw, CLASSIFIED)
    intent = _enum(_col(frame, "intent"))
    staged = pd.DataFrame(
        {
            "event_id": frame["id"].astype(object),
            "event_at": _utc(_col(frame, "timestamp")),
            "interaction_id": _trimmed(_col(frame, "interaction_id")),
            "intent": _none(intent.where(intent.isin(taxonomy))),
            "outcome": _enum(_col(frame, "outcome")),
        },
        index=frame.index,
    )
    return staged.reset_index(drop=True)


def _stage_scores(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """`ai_interaction_scored`; names and labels are trimmed text (case kept)."""
    frame = _read(raw, SCORED)
    staged = pd.DataFrame(
        {
            "event_id": frame["id"].astype(object),
            "interaction_id": _trimmed(_col(frame, "interaction_id")),
            "evaluation_name": _enum(_col(frame, "evaluation_name")).fillna("unknown"),
            "evaluator": _enum(_col(frame, "evaluator")).fillna("unknown"),
            "score_value": _number(_col(frame, "score_value")),
            "score_label": _enum(_col(frame, "score_label")),
        },
        index=frame.index,
    )
    return staged.reset_index(drop=True)


# --------------------------------------------------------------------------
# Turns and intents
# --------------------------------------------------------------------------


def _latest_per(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per non-NULL `key`, the row with the latest `event_at` (ties: the
    larger `event_id`), indexed by `key`. A NULL `event_at` is never the
    latest while a row with a time exists (NULLS LAST, as for the earliest)."""
    rows = frame[frame[key].notna()].sort_values(
        ["event_at", "event_id"], na_position="first", kind="stable"
    )
    return rows.drop_duplicates(key, keep="last").set_index(key)


def _earliest_per(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per non-NULL `key`, the row with the earliest `event_at` (ties: the
    smaller `event_id`; a NULL time last), indexed by `key`."""
    rows = frame[frame[key].notna()].sort_values(["event_at", "event_id"], na_position="last")
    return rows.drop_duplicates(key).set_index(key)


def _link_by_time(events: pd.DataFrame, prompts: pd.DataFrame) -> pd.Series:
    """The latest of `prompts` in the event's conversation at or before it
    (ties: the larger prompt id); NULL without a conversation, a time, or
    such a prompt."""
    candidates = prompts.loc[
        prompts["conversation_id"].notna() & prompts["event_at"].notna(),
        ["conversation_id", "event_at", "event_id"],
    ]
    # Resolve ties up front so the as-of join never has to.
    candidates = (
        candidates.sort_values(["conversation_id", "event_at", "event_id"])
        .drop_duplicates(["conversation_id", "event_at"], keep="last")
        .rename(columns={"event_id": "prompt_event_id"})
        .sort_values("event_at")
    )
    left = events.loc[
        events["conversation_id"].notna() & events["event_at"].notna(),
        ["conversation_id", "event_at"],
    ]
    left = left.assign(_row=left.index).sort_values("event_at")
    linked = pd.merge_asof(
        left,
        candidates,
        on="event_at",
        by="conversation_id",
        direction="backward",
        allow_exact_matches=True,
    )
    by_row = linked.set_index("_row")["prompt_event_id"]
    return _none(by_row.reindex(events.index))


def _link_to_prompts(events: pd.DataFrame, prompts: pd.DataFrame) -> pd.Series:
    """The prompt each event belongs to.

    With an interaction id: the latest prompt of that interaction (whatever
    its conversation or time); with none, the time rule among prompts
    without an interaction id only. Without an interaction id: the time rule
    among all prompts.
    """
    tagged = events["interaction_id"].notna()
    linked = events["interaction_id"].map(_latest_per(prompts, "interaction_id")["event_id"])
    fallback = tagged & linked.isna()
    v01_prompts = prompts[prompts["interaction_id"].isna()]
    linked = linked.where(~fallback, _link_by_time(events[fallback], v01_prompts))
    linked = linked.where(tagged, _link_by_time(events[~tagged], prompts))
    return _none(linked)


@dataclass(frozen=True)
class Staged:
    """The staged events, linked into turns, with resolved intents; plus the
    v0.3 model calls (events and breakdown entries) and evaluation scores."""

    prompts: pd.DataFrame
    responses: pd.DataFrame
    actions: pd.DataFrame
    model_calls: pd.DataFrame
    scores: pd.DataFrame


def _sample_bucket(user_key: object) -> int:
    """The user's stable sampling bucket, 0-99 (first 8 hex digits of the MD5);
    a prompt without any user id takes the bucket of the empty string."""
    if user_key is None or (isinstance(user_key, float) and math.isnan(user_key)):
        user_key = ""
    return int(hashlib.md5(str(user_key).encode("utf-8")).hexdigest()[:8], 16) % 100


def stage(
    raw: dict[str, pd.DataFrame],
    taxonomy: set[str],
    prices: pd.DataFrame,
    classifier_labels: pd.DataFrame | None = None,
    sample_pct: float = 100,
    cohort: frozenset[str] = frozenset(),
    integer_cost_columns: frozenset[tuple[str, str]] = frozenset(),
) -> Staged:
    """Staged prompts, responses and actions with `prompt_event_id` (their
    turn) and `intent` resolved; prompts also get `intent_source` and
    `outcome`."""
    taxonomy = {t.strip(" ").lower() for t in taxonomy}
    prompts = _stage_prompts(raw, taxonomy)
    responses = _stage_responses(raw, taxonomy, prices, integer_cost_columns)
    actions = _stage_actions(raw, taxonomy)
    classifications = _stage_classifications(raw, taxonomy)
    responses["prompt_event_id"] = _link_to_prompts(responses, prompts)
    actions["prompt_event_id"] = _link_to_prompts(actions, prompts)
    turn_responses = responses[responses["prompt_event_id"].notna()]

    # Step 2: the latest classification of the interaction with a valid intent.
    classified = classifications[classifications["intent"].notna()]
    from_classified = prompts["interaction_id"].map(
        _latest_per(classified, "interaction_id")["intent"]
    )
    # Step 3: the earliest response of the turn carrying a valid label.
    labelled = turn_responses[turn_responses["own_intent"].notna()]
    from_response = prompts["event_id"].map(
        _earliest_per(labelled, "prompt_event_id")["own_intent"]
    )
    intent = prompts["own_intent"]
    source = _none(pd.Series("event", index=prompts.index).where(intent.notna()))
    for label, name in (
        (from_classified, "interaction_classified"),
        (from_response, "response"),
    ):
        use = intent.isna() & label.notna()
        intent = intent.where(~use, label)
        source = source.where(~use, name)
    # Step 4: the batch classifier's label, when it is valid.
    if classifier_labels is not None and not classifier_labels.empty:
        ok = classifier_labels[classifier_labels["classification_status"] == "classified"]
        ok = ok[ok["intent"].isin(taxonomy)].set_index("prompt_event_id")
        label = prompts["event_id"].map(ok["intent"])
        by = prompts["event_id"].map("classifier_" + ok["classifier"].astype(str))
        use = intent.isna() & label.notna()
        intent = intent.where(~use, label)
        source = source.where(~use, by)
    # Step 5: prompts the sample skipped.
    buckets = prompts["user_key"].map(_sample_bucket)
    sampled = (buckets < sample_pct) | prompts["user_key"].isin(cohort)
    skipped = intent.isna() & ~sampled
    intent = intent.where(~skipped, "not_sampled")
    source = source.where(~skipped, "not_sampled")
    prompts["intent"] = _none(intent).fillna("unclassified").astype(object)
    prompts["intent_source"] = _none(source).fillna("unclassified").astype(object)

    # Outcome: the latest classification of the interaction with one, else
    # the answering response's.
    with_outcome = classifications[classifications["outcome"].notna()]
    outcome = prompts["interaction_id"].map(_latest_per(with_outcome, "interaction_id")["outcome"])
    answer_outcome = prompts["event_id"].map(
        _earliest_per(turn_responses, "prompt_event_id")["outcome"]
    )
    prompts["outcome"] = _none(outcome.where(outcome.notna(), answer_outcome))

    prompt_intent = prompts.set_index("event_id")["intent"]
    for events in (responses, actions):
        turn_intent = events["prompt_event_id"].map(prompt_intent)
        events["intent"] = (
            turn_intent.where(events["prompt_event_id"].notna(), events["own_intent"])
            .fillna("unknown")
            .astype(object)
        )

    call_ids = responses["interaction_id"].map(_last_successful_call_ids(raw))
    responses["response_id"] = _none(responses["response_id"].where(~responses["is_v03"], call_ids))

    event_calls = _stage_model_calls(raw)
    model_calls = pd.concat(
        [event_calls.drop(columns="interaction_id"), _breakdown_calls(responses, event_calls)],
        ignore_index=True,
    )
    # A score takes the intent of its interaction's prompt turn (interaction
    # match only: the latest prompt of that interaction), else `unknown`.
    scores = _stage_scores(raw)
    scores["intent"] = (
        scores["interaction_id"]
        .map(_latest_per(prompts, "interaction_id")["intent"])
        .fillna("unknown")
        .astype(object)
    )
    return Staged(
        prompts=prompts,
        responses=responses,
        actions=actions,
        model_calls=model_calls,
        scores=scores,
    )


# --------------------------------------------------------------------------
# Marts
# --------------------------------------------------------------------------


def _fct_ai_prompt_turns(s: Staged) -> pd.DataFrame:
    responses = s.responses[s.responses["prompt_event_id"].notna()]
    actions = s.actions[s.actions["prompt_event_id"].notna()]
    answers = _earliest_per(responses, "prompt_event_id")
    by_turn = responses.groupby("prompt_event_id")
    response_sums = pd.DataFrame(
        {
            "responses": by_turn.size(),
            "prompt_tokens": by_turn["prompt_tokens"].sum(min_count=1),
            "completion_tokens": by_turn["completion_tokens"].sum(min_count=1),
            "total_tokens": by_turn["total_tokens"].sum(min_count=1),
            "cost_usd": by_turn["cost_usd"].sum(min_count=1),
            # NULL when no response of the turn reported a count.
            "llm_calls": by_turn["llm_call_count"].sum(min_count=1),
            "tool_calls": by_turn["tool_call_count"].sum(min_count=1),
        }
    )
    kind = actions["action_type"]
    action_flags = actions.assign(
        rating_count=actions["rating"].notna(),
        thumbs_up_count=actions["is_thumb_up"],
        thumbs_down_count=actions["is_thumb_down"],
        feedback_events=actions["is_feedback"],
        **{column: kind == action_type for action_type, column in ACTION_COUNTS},
    )
    count_columns = [
        "rating_count",
        "thumbs_up_count",
        "thumbs_down_count",
        "feedback_events",
        *(column for _, column in ACTION_COUNTS),
    ]
    action_counts = action_flags.groupby("prompt_event_id")[count_columns].sum()
    avg_rating = actions.groupby("prompt_event_id")["rating"].mean()
    rating_sum = actions.groupby("prompt_event_id")["rating"].sum(min_count=1)

    turns = s.prompts.rename(columns={"event_id": "prompt_event_id", "event_at": "prompt_at"})
    key = turns["prompt_event_id"]
    for column in ("response_status", "latency_ms", "time_to_first_token_ms", "model_used"):
        turns[column] = key.map(answers[column])
    for column in response_sums.columns:
        turns[column] = key.map(response_sums[column])
    for column in count_columns:
        turns[column] = key.map(action_counts[column])
    turns["avg_rating"] = key.map(avg_rating)
    turns["rating_sum"] = key.map(rating_sum)
    counts = ["responses", *count_columns]
    turns[counts] = turns[counts].fillna(0)
    return _conform(turns, "fct_ai_prompt_turns")


def _fct_ai_conversations(s: Staged) -> pd.DataFrame:
    kinds = [(0, s.prompts), (1, s.responses), (2, s.actions)]
    events = pd.concat(
        [
            frame[["conversation_id", "event_at", "event_id", "user_key"]].assign(_kind=k)
            for k, frame in kinds
        ],
        ignore_index=True,
    )
    events = events[events["conversation_id"].notna()]
    # The earliest event decides the user; same instant: prompt, then
    # response, then action, then the smaller id.
    first_user = (
        events.sort_values(["event_at", "_kind", "event_id"], na_position="last")
        .drop_duplicates("conversation_id")
        .set_index("conversation_id")["user_key"]
    )
    first_intent = (
        s.prompts[s.prompts["conversation_id"].notna()]
        .sort_values(["event_at", "event_id"], na_position="last")
        .drop_duplicates("conversation_id")
        .set_index("conversation_id")["intent"]
    )
    responses = s.responses.assign(_error=s.responses["response_status"] == "error")
    by_response = responses.groupby("conversation_id")
    out = events.groupby("conversation_id").agg(
        started_at=("event_at", "min"), ended_at=("event_at", "max")
    )
    out["prompts"] = s.prompts.groupby("conversation_id").size()
    out["responses"] = by_response.size()
    out["errors"] = by_response["_error"].sum()
    out["total_cost_usd"] = by_response["cost_usd"].sum(min_count=1)
    out[["prompts", "responses", "errors"]] = out[["prompts", "responses", "errors"]].fillna(0)
    out["user_key"] = first_user
    out["first_intent"] = first_intent
    out = out.rename_axis("conversation_id").reset_index()
    return _conform(out, "fct_ai_conversations")


def _ai_engagement_by_user(s: Staged) -> pd.DataFrame:
    # count(distinct) and count(column) skip NULLs, as in SQL.
    out = (
        s.prompts[s.prompts["user_key"].notna()]
        .groupby("user_key")
        .agg(
            conversations=("conversation_id", "nunique"),
            prompts=("event_id", "size"),
            prompts_in_conversations=("conversation_id", "count"),
            first_prompt_at=("event_at", "min"),
            last_prompt_at=("event_at", "max"),
            active_days=("date_day", "nunique"),
        )
        .reset_index()
    )
    out["avg_prompts_per_conversation"] = [
        _ratio(n, c)
        for n, c in zip(out["prompts_in_conversations"], out["conversations"], strict=True)
    ]
    return _conform(out, "ai_engagement_by_user")


def _ai_engagement_daily(s: Staged) -> pd.DataFrame:
    prompts = s.prompts[s.prompts["date_day"].notna()]
    responses = s.responses[s.responses["date_day"].notna()]
    days = sorted(set(prompts["date_day"]) | set(responses["date_day"]))
    rows = []
    for day in days:
        day_prompts = prompts[prompts["date_day"] == day]
        rows.append(
            {
                "date_day": day,
                "active_users": _distinct(day_prompts["user_key"]),
                "conversations": _distinct(day_prompts["conversation_id"]),
                "prompts": len(day_prompts),
                "responses": int((responses["date_day"] == day).sum()),
            }
        )
    return _conform(pd.DataFrame(rows), "ai_engagement_daily")


def _ai_intent_distribution(s: Staged) -> pd.DataFrame:
    total = len(s.prompts)
    counts = s.prompts.groupby("intent").size()
    out = pd.DataFrame(
        {
            "intent": counts.index,
            "prompts": counts.values,
            "pct_of_prompts": [_ratio(n, total, 100.0) for n in counts.values],
        }
    )
    return _conform(out, "ai_intent_distribution")


def _known(responses: pd.DataFrame, column: str) -> pd.Series:
    values = responses[column]
    return values[values.notna() & (values >= 0)]


def _known_latency(responses: pd.DataFrame) -> pd.Series:
    return _known(responses, "latency_ms")


def _ai_latency_by_intent(s: Staged) -> pd.DataFrame:
    rows = []
    for intent, responses in s.responses.groupby("intent"):
        latency = _known_latency(responses)
        if latency.empty:
            continue
        # Time to first token over the same responses (known latency) that
        # also have a known, non-negative one.
        first_token = _known(responses.loc[latency.index], "time_to_first_token_ms")
        rows.append(
            {
                "intent": intent,
                "responses": len(latency),
                "avg_latency_ms": _sql_avg(latency),
                "p50_latency_ms": percentile_cont(latency, 0.50),
                "p95_latency_ms": percentile_cont(latency, 0.95),
                "p99_latency_ms": percentile_cont(latency, 0.99),
                "p50_time_to_first_token_ms": percentile_cont(first_token, 0.50),
                "p95_time_to_first_token_ms": percentile_cont(first_token, 0.95),
            }
        )
    return _conform(pd.DataFrame(rows), "ai_latency_by_intent")


def _by_day_and_model(s: Staged) -> DataFrameGroupBy:
    responses = s.responses[s.responses["date_day"].notna()]
    responses = responses.assign(model_used=responses["model_used"].fillna("unknown"))
    return responses.groupby(["date_day", "model_used"])


def _ai_model_performance_daily(s: Staged) -> pd.DataFrame:
    rows = []
    for (day, model), responses in _by_day_and_model(s):
        status = responses["response_status"]
        errors = int((status == "error").sum())
        rows.append(
            {
                "date_day": day,
                "model_used": model,
                "responses": len(responses),
                "errors": errors,
                "timeouts": int((status == "timeout").sum()),
                "error_rate": _ratio(errors, len(responses), 100.0),
                "p95_latency_ms": percentile_cont(_known_latency(responses), 0.95),
                "incompletes": int((status == "incomplete").sum()),
                "cancellations": int((status == "cancelled").sum()),
                "pauses": int((status == "paused").sum()),
                # Every response of the group with a known first-token time
                # (its latency may be unknown).
                "p95_time_to_first_token_ms": percentile_cont(
                    _known(responses, "time_to_first_token_ms"), 0.95
                ),
            }
        )
    return _conform(pd.DataFrame(rows), "ai_model_performance_daily")


def _ai_cost_daily(s: Staged) -> pd.DataFrame:
    rows = []
    for (day, model), responses in _by_day_and_model(s):
        conversations = _distinct(responses["conversation_id"])
        total_cost = _sql_sum(responses["cost_usd"])
        rows.append(
            {
                "date_day": day,
                "model_used": model,
                "responses": len(responses),
                "conversations": conversations,
                "total_cost_usd": total_cost,
                "prompt_tokens": _sql_sum(responses["prompt_tokens"]),
                "completion_tokens": _sql_sum(responses["completion_tokens"]),
                "total_tokens": _sql_sum(responses["total_tokens"]),
                "cost_per_conversation_usd": _ratio(total_cost, conversations),
            }
        )
    return _conform(pd.DataFrame(rows), "ai_cost_daily")


def _ai_satisfaction_by_intent(s: Staged) -> pd.DataFrame:
    rows = []
    for intent, actions in s.actions.groupby("intent"):
        thumbs = int(actions["is_thumb"].sum())
        rows.append(
            {
                "intent": intent,
                "feedback_events": int(actions["is_feedback"].sum()),
                "ratings": int(actions["rating"].notna().sum()),
                "avg_rating": _sql_avg(actions["rating"]),
                "thumbs": thumbs,
                "thumbs_up_rate": _ratio(actions["is_thumb_up"].sum(), thumbs, 100.0),
                **{
                    column: int((actions["action_type"] == action_type).sum())
                    for action_type, column in ACTION_COUNTS
                },
            }
        )
    return _conform(pd.DataFrame(rows), "ai_satisfaction_by_intent")


def _ai_intent_transitions(s: Staged) -> pd.DataFrame:
    prompts = s.prompts[
        s.prompts["conversation_id"].notna() & s.prompts["event_at"].notna()
    ].sort_values(["conversation_id", "event_at", "event_id"])
    pairs = prompts.assign(
        from_intent=prompts["intent"],
        to_intent=prompts.groupby("conversation_id")["intent"].shift(-1),
    )
    pairs = pairs[pairs["to_intent"].notna()]
    counts = pairs.groupby(["from_intent", "to_intent"]).size()
    out = counts.rename("transitions").reset_index()
    return _conform(out, "ai_intent_transitions")


def _fct_ai_intent_transitions(s: Staged) -> pd.DataFrame:
    prompts = s.prompts[
        s.prompts["conversation_id"].notna() & s.prompts["event_at"].notna()
    ].sort_values(["conversation_id", "event_at", "event_id"])
    pairs = prompts.assign(
        from_intent=prompts.groupby("conversation_id")["intent"].shift(1),
        to_intent=prompts["intent"],
    )
    pairs = pairs[pairs["from_intent"].notna()].rename(
        columns={"event_id": "prompt_event_id", "event_at": "prompt_at"}
    )
    return _conform(pairs, "fct_ai_intent_transitions")


def _fct_ai_sessions(s: Staged) -> pd.DataFrame:
    columns = ["user_key", "session_id", "conversation_id", "event_at"]
    events = pd.concat(
        [
            s.prompts[columns].assign(_is_prompt=True),
            s.responses[columns].assign(_is_prompt=False),
            s.actions[columns].assign(_is_prompt=False),
        ],
        ignore_index=True,
    )
    events = events[events["session_id"].notna() & events["user_key"].notna()]
    out = (
        events.groupby(["user_key", "session_id"])
        .agg(
            started_at=("event_at", "min"),
            ended_at=("event_at", "max"),
            conversations=("conversation_id", "nunique"),
            prompts=("_is_prompt", "sum"),
        )
        .reset_index()
    )
    return _conform(out, "fct_ai_sessions")


def _ai_retention_weekly(s: Staged) -> pd.DataFrame:
    prompts = s.prompts[s.prompts["date_day"].notna() & s.prompts["user_key"].notna()]
    week = prompts["date_day"] - pd.to_timedelta(prompts["date_day"].dt.day_of_week, unit="D")
    activity = pd.DataFrame({"user_key": prompts["user_key"], "week": week}).drop_duplicates()
    if activity.empty:
        return _conform(pd.DataFrame(), "ai_retention_weekly")
    cohort_of = activity.groupby("user_key")["week"].min()
    activity["cohort_week"] = activity["user_key"].map(cohort_of)
    last_week = activity["week"].max()
    # Distinct users of each cohort active in each week they were active at all
    # (a week missing here had none: zero).
    active_in = activity.groupby(["cohort_week", "week"])["user_key"].nunique()
    rows = []
    for cohort_week, users in cohort_of.groupby(cohort_of):
        cohort_users = len(users)
        for weeks_since_first in range((last_week - cohort_week).days // 7 + 1):
            this_week = cohort_week + pd.Timedelta(weeks=weeks_since_first)
            active = int(active_in.get((cohort_week, this_week), 0))
            rows.append(
                {
                    "cohort_week": cohort_week,
                    "weeks_since_first": weeks_since_first,
                    "cohort_users": cohort_users,
                    "active_users": active,
                    "retention_pct": _ratio(active, cohort_users, 100.0),
                }
            )
    return _conform(pd.DataFrame(rows), "ai_retention_weekly")


def _ai_classification_coverage(
    s: Staged, classifier_labels: pd.DataFrame | None, sample_pct: float
) -> pd.DataFrame:
    prompts = s.prompts[s.prompts["date_day"].notna()]
    failed: set[str] = set()
    if classifier_labels is not None and not classifier_labels.empty:
        bad = classifier_labels["classification_status"].isin(
            ["classification_error", "deferred_budget"]
        )
        failed = set(classifier_labels.loc[bad, "prompt_event_id"])
    # Responses whose reported cost the loader truncated, per their own day;
    # the flag is the same on every row: any such response at all.
    truncated = s.responses[s.responses["is_cost_truncated"]]
    truncated_per_day = truncated.groupby("date_day").size()
    rows = []
    for day, group in prompts.groupby("date_day"):
        source = group["intent_source"]
        unclassified = source == "unclassified"
        with_intent = ~source.isin(["not_sampled", "unclassified"])
        rows.append(
            {
                "date_day": day,
                "prompts": len(group),
                **{
                    f"from_{name}": int((source == name).sum())
                    for name in (
                        "event",
                        "interaction_classified",
                        "response",
                        "classifier_offline",
                        "classifier_llm",
                    )
                },
                "not_sampled": int((source == "not_sampled").sum()),
                "classification_errors": int((unclassified & group["event_id"].isin(failed)).sum()),
                "unclassified": int(unclassified.sum()),
                "classified_pct": _ratio(int(with_intent.sum()), len(group), 100.0),
                "sampling_pct": float(sample_pct),
                "truncated_cost_responses": int(truncated_per_day.get(day, 0)),
                "is_cost_truncated_by_loader": not truncated.empty,
            }
        )
    return _conform(pd.DataFrame(rows), "ai_classification_coverage")


def _ai_outcomes_daily(s: Staged) -> pd.DataFrame:
    prompts = s.prompts[s.prompts["date_day"].notna() & s.prompts["outcome"].notna()]
    rows = []
    for (day, intent), turns in prompts.groupby(["date_day", "intent"]):
        resolved = int((turns["outcome"] == "resolved").sum())
        rows.append(
            {
                "date_day": day,
                "intent": intent,
                # Every outcome value counts here, even one outside the five.
                "turns_with_outcome": len(turns),
                **{value: int((turns["outcome"] == value).sum()) for value in OUTCOMES},
                "resolution_rate": _ratio(resolved, len(turns), 100.0),
            }
        )
    return _conform(pd.DataFrame(rows), "ai_outcomes_daily")


def _ai_model_calls_daily(s: Staged) -> pd.DataFrame:
    calls = s.model_calls[s.model_calls["date_day"].notna()]
    calls = calls.assign(model_used=calls["model_used"].fillna("unknown"))
    rows = []
    for (day, model), group in calls.groupby(["date_day", "model_used"]):
        from_breakdown = group["from_breakdown"].astype(bool)
        rows.append(
            {
                "date_day": day,
                "model_used": model,
                "calls": group["calls"].sum(),
                "errors": group["errors"].sum(),
                "prompt_tokens": _sql_sum(group["prompt_tokens"]),
                "completion_tokens": _sql_sum(group["completion_tokens"]),
                "total_tokens": _sql_sum(group["total_tokens"]),
                "cost_usd": _sql_sum(group["cost_usd"]),
                "calls_from_events": group.loc[~from_breakdown, "calls"].sum(),
                "calls_from_breakdown": group.loc[from_breakdown, "calls"].sum(),
            }
        )
    return _conform(pd.DataFrame(rows), "ai_model_calls_daily")


def _ai_evaluation_scores(s: Staged) -> pd.DataFrame:
    rows = []
    grain = ["intent", "evaluation_name", "evaluator"]
    for (intent, name, evaluator), scores in s.scores.groupby(grain, dropna=False):
        values = scores["score_value"]
        rows.append(
            {
                "intent": intent,
                "evaluation_name": None if pd.isna(name) else name,
                "evaluator": None if pd.isna(evaluator) else evaluator,
                "scores": len(scores),
                "numeric_scores": int(values.notna().sum()),
                "avg_score": _sql_avg(values),
                "min_score": float(values.min()) if values.notna().any() else np.nan,
                "max_score": float(values.max()) if values.notna().any() else np.nan,
                "labelled_scores": int(scores["score_label"].notna().sum()),
            }
        )
    return _conform(pd.DataFrame(rows), "ai_evaluation_scores")


# A latency longer than this is a unit or clock error: the span gets no start.
LONGEST_SPAN_MS = 86_400_000


def _error_type(status: object, error_type: object) -> str | None:
    """OpenTelemetry `error.type` of a response: only `error` and `timeout`
    are failures; the reported class, else `timeout` / `_OTHER`."""
    if status == "error":
        return error_type if isinstance(error_type, str) else "_OTHER"
    if status == "timeout":
        return error_type if isinstance(error_type, str) else "timeout"
    return None


def _span_start(end: pd.Timestamp, latency_ms: float) -> pd.Timestamp:
    """`end` minus the latency rounded to the microsecond (half away from 0)."""
    if pd.isna(end) or pd.isna(latency_ms) or not 0 <= latency_ms <= LONGEST_SPAN_MS:
        return pd.NaT
    return end - pd.Timedelta(microseconds=math.floor(latency_ms * 1000 + 0.5))


def _ai_otel_genai_spans(s: Staged) -> pd.DataFrame:
    """One OpenTelemetry GenAI `chat` span (conventions v1.37.0) per response."""
    r = s.responses
    latency = r["latency_ms"].where(r["latency_ms"] >= 0)
    out = pd.DataFrame(
        {
            "response_event_id": r["event_id"],
            "prompt_event_id": r["prompt_event_id"],
            "user_key": r["user_key"],
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": r["provider"],
            "gen_ai.system": r["provider"],
            "gen_ai.conversation.id": r["conversation_id"],
            "gen_ai.response.id": r["response_id"],
            "gen_ai.response.model": r["model_used"],
            "gen_ai.response.finish_reasons": [
                None if v is None else json.dumps([v], ensure_ascii=False, separators=(",", ":"))
                for v in r["finish_reason"]
            ],
            "gen_ai.usage.input_tokens": r["prompt_tokens"],
            "gen_ai.usage.output_tokens": r["completion_tokens"],
            "error.type": [
                _error_type(status, kind)
                for status, kind in zip(r["response_status"], r["error_type"], strict=True)
            ],
            "ai_product_analytics.interaction_id": r["interaction_id"],
            "ai_product_analytics.intent": r["intent"],
            "ai_product_analytics.response_status": r["response_status"],
            "ai_product_analytics.usage.total_tokens": r["total_tokens"],
            "ai_product_analytics.cost_usd": r["cost_usd"],
            "ai_product_analytics.is_cost_derived": r["is_cost_derived"].astype(bool),
            "ai_product_analytics.time_to_first_token_ms": r["time_to_first_token_ms"],
            "ai_product_analytics.llm_call_count": r["llm_call_count"],
            "ai_product_analytics.tool_call_count": r["tool_call_count"],
            "span_started_at": pd.Series(
                [_span_start(e, v) for e, v in zip(r["event_at"], latency, strict=True)],
                index=r.index,
                dtype="datetime64[us]",
            ),
            "span_ended_at": r["event_at"],
            "span_duration_ms": latency,
            "date_day": r["date_day"],
        },
        index=r.index,
    )
    return _conform(out, "ai_otel_genai_spans")


# --------------------------------------------------------------------------
# Quarantine
# --------------------------------------------------------------------------

QUARANTINED_TABLES = (PROMPTS, RESPONSES, RESPONSES_V03, ACTIONS, CLASSIFIED, SCORED)
STATUSES = frozenset({"success", "error", "timeout", "incomplete", "cancelled", "paused"})
ACTION_TYPES = frozenset(
    {
        "feedback_given",
        "feedback_retracted",
        "copied_response",
        "shared",
        "reported",
        "regenerated",
        "accepted",
        "rejected",
        "edited",
        "clicked_through",
    }
)


def _first_reason(checks: list[tuple[str, pd.Series]], index: pd.Index) -> pd.Series:
    """Per row, the name of the first check that is true (None when none is)."""
    reason = pd.Series(None, index=index, dtype=object)
    for name, flagged in checks:
        reason = reason.where(reason.notna() | ~flagged.fillna(False).astype(bool), name)
    return reason


def _quarantine_rows(
    raw: dict[str, pd.DataFrame],
    table: str,
    taxonomy: set[str],
    integer_cost_columns: frozenset[tuple[str, str]],
    event_time_floor: str | None,
) -> pd.DataFrame:
    """The quarantined rows of one table: `reason`, `is_excluded`, `date_day`.

    A raw row without an id is excluded (`missing_id`), on the UTC day of its
    `received_at`, else of its event time. Of the staged rows (one per id,
    discarded values put back), one with an unusable value is listed with
    the first reason that applies, on the same kind of day.
    """
    frame = raw.get(table)
    if frame is None:
        return pd.DataFrame(columns=["reason", "is_excluded", "date_day"])
    without_id = frame[_trimmed(_col(frame, "id")).isna()]
    excluded = pd.DataFrame(
        {
            "reason": "missing_id",
            "is_excluded": True,
            "date_day": _utc(_col(without_id, "received_at"))
            .fillna(_utc(_col(without_id, "timestamp")))
            .dt.floor("D"),
        },
        index=without_id.index,
    )

    staged = _read(raw, table)
    common = _common(staged, taxonomy)
    event_at = common["event_at"]
    received_at = _utc(_col(staged, "received_at"))
    checks = [
        ("missing_event_time", event_at.isna()),
        ("event_time_in_future", event_at > received_at + pd.Timedelta(days=1)),
    ]
    if event_time_floor is not None:
        floor = pd.Timestamp(event_time_floor).tz_localize(None)
        checks.append(("event_time_before_floor", event_at < floor))
    if table == PROMPTS:
        checks.append(("missing_conversation_id", common["conversation_id"].isna()))
    elif table in (RESPONSES, RESPONSES_V03):
        if table == RESPONSES:
            # A v0.3 model call's cost is `cost_usd`; a v0.1 response's `cost`.
            is_call = common["interaction_id"].notna()
            cost = _number(_col(staged, "cost")).fillna(_number(_col(staged, "cost_usd")))
            integer = (is_call & ((table, "cost_usd") in integer_cost_columns)) | (
                ~is_call & ((table, "cost") in integer_cost_columns)
            )
        else:
            cost = _number(_col(staged, "total_cost_usd"))
            is_integer = (table, "total_cost_usd") in integer_cost_columns
            integer = pd.Series(is_integer, index=staged.index, dtype=bool)
        status = _enum(_col(staged, "response_status"))
        checks += [
            ("negative_latency", _number(_col(staged, "latency_ms")) < 0),
            ("cost_truncated_by_loader", integer & cost.notna()),
            ("unknown_status", status.notna() & ~status.isin(STATUSES)),
        ]
    elif table == ACTIONS:
        action_type = _enum(_col(staged, "action_type"))
        feedback_type = _enum(_col(staged, "action_details_feedback_type"))
        readings = [
            _feedback_reading(v) for v in _text(_col(staged, "action_details_feedback_value"))
        ]
        rating = pd.Series([r for r, _ in readings], index=staged.index, dtype="float64")
        thumb = pd.Series([t for _, t in readings], index=staged.index, dtype=object)
        checks += [
            ("unknown_action_type", action_type.notna() & ~action_type.isin(ACTION_TYPES)),
            (
                "unparsable_feedback_value",
                ((feedback_type == "rating") & rating.isna())
                | ((feedback_type == "thumbs") & thumb.isna()),
            ),
        ]
    checks.append(("missing_user", common["user_key"].isna()))
    flagged = pd.DataFrame(
        {
            "reason": _first_reason(checks, staged.index),
            "is_excluded": False,
            "date_day": received_at.fillna(event_at).dt.floor("D"),
        },
        index=staged.index,
    )
    flagged = flagged[flagged["reason"].notna()]
    return pd.concat([excluded, flagged], ignore_index=True)


def _ai_quarantine_daily(
    raw: dict[str, pd.DataFrame],
    taxonomy: set[str],
    integer_cost_columns: frozenset[tuple[str, str]],
    event_time_floor: str | None,
) -> pd.DataFrame:
    taxonomy = {t.strip(" ").lower() for t in taxonomy}
    rows = []
    for table in QUARANTINED_TABLES:
        found = _quarantine_rows(raw, table, taxonomy, integer_cost_columns, event_time_floor)
        grouped = found.groupby(["date_day", "reason"], dropna=False)
        for (day, reason), group in grouped:
            rows.append(
                {
                    "date_day": day,
                    "table_name": table,
                    "reason": reason,
                    "event_rows": len(group),
                    "excluded_rows": int(group["is_excluded"].astype(bool).sum()),
                }
            )
    return _conform(pd.DataFrame(rows), "ai_quarantine_daily")


def expected_marts(
    raw: dict[str, pd.DataFrame],
    taxonomy: set[str],
    prices: pd.DataFrame,
    classifier_labels: pd.DataFrame | None = None,
    sample_pct: float = 100,
    cohort: frozenset[str] = frozenset(),
    integer_cost_columns: frozenset[tuple[str, str]] = frozenset(),
    event_time_floor: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Every mart computed in pandas from the raw tables.

    `raw` holds the raw tables by name (`ai_user_prompt_created`,
    `ai_llm_response_received` (v0.1 responses and v0.3 model calls),
    `ai_response_received`, `ai_user_action`, `ai_interaction_classified`,
    `ai_interaction_scored`, `rudder_discards`); a missing table or column is
    all-NULL. `taxonomy` is the set of valid intent names;
    `prices` the `ai_model_prices` seed (`model`, `input_usd_per_1m`,
    `output_usd_per_1m`, `valid_from`, `valid_to`).
    `integer_cost_columns` names the (table, column) pairs of cost columns
    the warehouse holds as an integer type (the loader typed them from a
    whole first value; `raw` then holds the truncated values), and
    `event_time_floor` is the var of that name (a UTC time, or None).

    Days are naive midnight `datetime64[us]` timestamps, timestamps naive UTC
    `datetime64[us]`; see the module docstring for the other dtypes.
    """
    s = stage(raw, taxonomy, prices, classifier_labels, sample_pct, cohort, integer_cost_columns)
    return {
        "fct_ai_prompt_turns": _fct_ai_prompt_turns(s),
        "fct_ai_conversations": _fct_ai_conversations(s),
        "ai_engagement_by_user": _ai_engagement_by_user(s),
        "ai_engagement_daily": _ai_engagement_daily(s),
        "ai_intent_distribution": _ai_intent_distribution(s),
        "ai_latency_by_intent": _ai_latency_by_intent(s),
        "ai_model_performance_daily": _ai_model_performance_daily(s),
        "ai_cost_daily": _ai_cost_daily(s),
        "ai_satisfaction_by_intent": _ai_satisfaction_by_intent(s),
        "ai_intent_transitions": _ai_intent_transitions(s),
        "fct_ai_intent_transitions": _fct_ai_intent_transitions(s),
        "fct_ai_sessions": _fct_ai_sessions(s),
        "ai_retention_weekly": _ai_retention_weekly(s),
        "ai_outcomes_daily": _ai_outcomes_daily(s),
        "ai_model_calls_daily": _ai_model_calls_daily(s),
        "ai_evaluation_scores": _ai_evaluation_scores(s),
        "ai_classification_coverage": _ai_classification_coverage(s, classifier_labels, sample_pct),
        "ai_otel_genai_spans": _ai_otel_genai_spans(s),
        "ai_quarantine_daily": _ai_quarantine_daily(
            raw, taxonomy, integer_cost_columns, event_time_floor
        ),
    }
