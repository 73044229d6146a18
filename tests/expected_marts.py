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

Scope: spec v0.1. The batch classifier and the v0.3 tables do not exist yet,
so a prompt's intent resolves from steps 1 (``event``), 3 (``response``) and
6 (``unclassified``) of the precedence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

PROMPTS = "ai_user_prompt_created"
RESPONSES = "ai_llm_response_received"
ACTIONS = "ai_user_action"
DISCARDS = "rudder_discards"

THUMBS_UP = frozenset({"true", "up", "1", "yes"})
THUMBS_DOWN = frozenset({"false", "down", "0", "no"})
# What "reads as a number" means for a feedback value: a plain decimal
# literal (optionally signed, optionally with an exponent). `nan`/`inf` are
# not ratings.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# Column kinds used to give every mart the same dtypes whatever the data.
TEXT, TS, DAY, INT, FLOAT = "text", "ts", "day", "int", "float"

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
        "thumbs_up_count": INT,
        "thumbs_down_count": INT,
        "feedback_events": INT,
        "regenerations": INT,
        "copies": INT,
        "shares": INT,
        "reports": INT,
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
    },
    "ai_model_performance_daily": {
        "date_day": DAY,
        "model_used": TEXT,
        "responses": INT,
        "errors": INT,
        "timeouts": INT,
        "error_rate": FLOAT,
        "p95_latency_ms": FLOAT,
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
    },
    "ai_intent_transitions": {
        "from_intent": TEXT,
        "to_intent": TEXT,
        "transitions": INT,
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
    "fct_ai_sessions": ["user_key", "session_id"],
    "ai_retention_weekly": ["cohort_week", "weeks_since_first"],
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
            "conversation_id": _trimmed(_col(frame, "conversation_id")),
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


def _stage_responses(
    raw: dict[str, pd.DataFrame], taxonomy: set[str], prices: pd.DataFrame
) -> pd.DataFrame:
    frame = _read(raw, RESPONSES)
    # v0.3 per-call rows carry an interaction_id: a breakdown, not a response.
    frame = frame[_trimmed(_col(frame, "interaction_id")).isna()]
    staged = _common(frame, taxonomy)
    staged["response_status"] = _enum(_col(frame, "response_status"))
    staged["latency_ms"] = _number(_col(frame, "latency_ms"))
    staged["prompt_tokens"] = _number(_col(frame, "token_count_prompt_tokens"))
    staged["completion_tokens"] = _number(_col(frame, "token_count_completion_tokens"))
    staged["total_tokens"] = _number(_col(frame, "token_count_total_tokens")).fillna(
        staged["prompt_tokens"] + staged["completion_tokens"]
    )
    staged["model_used"] = _enum(_col(frame, "model_used"))
    staged["event_cost_usd"] = _number(_col(frame, "cost"))
    staged = staged.reset_index(drop=True)
    derived = _derived_cost(staged, prices)
    staged["is_cost_derived"] = staged["event_cost_usd"].isna() & derived.notna()
    staged["cost_usd"] = staged["event_cost_usd"].fillna(derived)
    return staged


def _derived_cost(responses: pd.DataFrame, prices: pd.DataFrame) -> pd.Series:
    """Cost from the price seed for responses with tokens and model.

    The price row is the model's row valid on the response's UTC day
    (`valid_from <= date_day < valid_to`, open when `valid_to` is empty).
    Should rows overlap, the one with the latest `valid_from` wins.
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
    candidates = needs.reset_index(names="_row").merge(table, on="model_used")
    valid = (candidates["valid_from"] <= candidates["date_day"]) & (
        candidates["valid_to"].isna() | (candidates["date_day"] < candidates["valid_to"])
    )
    candidates = candidates[valid].sort_values(["_row", "valid_from"])
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
    is_feedback = staged["action_type"] == "feedback_given"
    rating = pd.Series([r for r, _ in readings], index=frame.index, dtype="float64")
    thumb = pd.Series([t for _, t in readings], index=frame.index, dtype=object)
    is_rating = is_feedback & (staged["feedback_type"] == "rating") & rating.notna()
    is_thumb = is_feedback & (staged["feedback_type"] == "thumbs") & thumb.notna()
    staged["is_feedback"] = is_feedback
    staged["rating"] = rating.where(is_rating)
    staged["is_thumb_up"] = is_thumb & (thumb == True)  # noqa: E712 (object column)
    staged["is_thumb_down"] = is_thumb & (thumb == False)  # noqa: E712
    staged["is_thumb"] = is_thumb
    return staged.reset_index(drop=True)


# --------------------------------------------------------------------------
# Turns and intents
# --------------------------------------------------------------------------


def _link_to_prompts(events: pd.DataFrame, prompts: pd.DataFrame) -> pd.Series:
    """The prompt each event belongs to: the latest prompt of the same
    conversation at or before it (ties: the larger prompt id); NULL without
    a conversation, a time, or such a prompt."""
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
    return by_row.reindex(events.index).astype(object).where(lambda s: s.notna(), None)


@dataclass(frozen=True)
class Staged:
    """The staged events, linked into turns, with resolved intents."""

    prompts: pd.DataFrame
    responses: pd.DataFrame
    actions: pd.DataFrame


def stage(raw: dict[str, pd.DataFrame], taxonomy: set[str], prices: pd.DataFrame) -> Staged:
    """Staged prompts, responses and actions with `prompt_event_id` (their
    turn) and `intent` resolved; prompts also get `intent_source`."""
    taxonomy = {t.strip(" ").lower() for t in taxonomy}
    prompts = _stage_prompts(raw, taxonomy)
    responses = _stage_responses(raw, taxonomy, prices)
    actions = _stage_actions(raw, taxonomy)
    responses["prompt_event_id"] = _link_to_prompts(responses, prompts)
    actions["prompt_event_id"] = _link_to_prompts(actions, prompts)

    # Step 3: the earliest response of the turn carrying a valid label.
    labelled = responses[
        responses["prompt_event_id"].notna() & responses["own_intent"].notna()
    ].sort_values(["event_at", "event_id"])
    response_label = labelled.drop_duplicates("prompt_event_id").set_index("prompt_event_id")[
        "own_intent"
    ]
    from_response = prompts["event_id"].map(response_label)

    has_event = prompts["own_intent"].notna()
    has_response = ~has_event & from_response.notna()
    prompts["intent"] = np.where(
        has_event,
        prompts["own_intent"],
        np.where(has_response, from_response, "unclassified"),
    )
    prompts["intent_source"] = np.where(
        has_event, "event", np.where(has_response, "response", "unclassified")
    )
    prompts["intent"] = prompts["intent"].astype(object)
    prompts["intent_source"] = prompts["intent_source"].astype(object)

    prompt_intent = prompts.set_index("event_id")["intent"]
    for events in (responses, actions):
        turn_intent = events["prompt_event_id"].map(prompt_intent)
        events["intent"] = (
            turn_intent.where(events["prompt_event_id"].notna(), events["own_intent"])
            .fillna("unknown")
            .astype(object)
        )
    return Staged(prompts=prompts, responses=responses, actions=actions)


# --------------------------------------------------------------------------
# Marts
# --------------------------------------------------------------------------


def _fct_ai_prompt_turns(s: Staged) -> pd.DataFrame:
    responses = s.responses[s.responses["prompt_event_id"].notna()]
    actions = s.actions[s.actions["prompt_event_id"].notna()]
    answers = (
        responses.sort_values(["event_at", "event_id"])
        .drop_duplicates("prompt_event_id")
        .set_index("prompt_event_id")
    )
    by_turn = responses.groupby("prompt_event_id")
    response_sums = pd.DataFrame(
        {
            "responses": by_turn.size(),
            "prompt_tokens": by_turn["prompt_tokens"].sum(min_count=1),
            "completion_tokens": by_turn["completion_tokens"].sum(min_count=1),
            "total_tokens": by_turn["total_tokens"].sum(min_count=1),
            "cost_usd": by_turn["cost_usd"].sum(min_count=1),
        }
    )
    kind = actions["action_type"]
    action_flags = actions.assign(
        rating_count=actions["rating"].notna(),
        thumbs_up_count=actions["is_thumb_up"],
        thumbs_down_count=actions["is_thumb_down"],
        feedback_events=actions["is_feedback"],
        regenerations=kind == "regenerated",
        copies=kind == "copied_response",
        shares=kind == "shared",
        reports=kind == "reported",
    )
    count_columns = [
        "rating_count",
        "thumbs_up_count",
        "thumbs_down_count",
        "feedback_events",
        "regenerations",
        "copies",
        "shares",
        "reports",
    ]
    action_counts = action_flags.groupby("prompt_event_id")[count_columns].sum()
    avg_rating = actions.groupby("prompt_event_id")["rating"].mean()

    turns = s.prompts.rename(columns={"event_id": "prompt_event_id", "event_at": "prompt_at"})
    key = turns["prompt_event_id"]
    for column in ("response_status", "latency_ms", "model_used"):
        turns[column] = key.map(answers[column])
    for column in response_sums.columns:
        turns[column] = key.map(response_sums[column])
    for column in count_columns:
        turns[column] = key.map(action_counts[column])
    turns["avg_rating"] = key.map(avg_rating)
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


def _known_latency(responses: pd.DataFrame) -> pd.Series:
    latency = responses["latency_ms"]
    return latency[latency.notna() & (latency >= 0)]


def _ai_latency_by_intent(s: Staged) -> pd.DataFrame:
    rows = []
    for intent, responses in s.responses.groupby("intent"):
        latency = _known_latency(responses)
        if latency.empty:
            continue
        rows.append(
            {
                "intent": intent,
                "responses": len(latency),
                "avg_latency_ms": _sql_avg(latency),
                "p50_latency_ms": percentile_cont(latency, 0.50),
                "p95_latency_ms": percentile_cont(latency, 0.95),
                "p99_latency_ms": percentile_cont(latency, 0.99),
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
        errors = int((responses["response_status"] == "error").sum())
        rows.append(
            {
                "date_day": day,
                "model_used": model,
                "responses": len(responses),
                "errors": errors,
                "timeouts": int((responses["response_status"] == "timeout").sum()),
                "error_rate": _ratio(errors, len(responses), 100.0),
                "p95_latency_ms": percentile_cont(_known_latency(responses), 0.95),
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
                "regenerations": int((actions["action_type"] == "regenerated").sum()),
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
    rows = []
    for cohort_week, users in cohort_of.groupby(cohort_of):
        cohort_users = len(users)
        members = activity[activity["cohort_week"] == cohort_week]
        for weeks_since_first in range((last_week - cohort_week).days // 7 + 1):
            this_week = cohort_week + pd.Timedelta(weeks=weeks_since_first)
            active = _distinct(members.loc[members["week"] == this_week, "user_key"])
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


def expected_marts(
    raw: dict[str, pd.DataFrame], taxonomy: set[str], prices: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Every mart computed in pandas from the raw tables.

    `raw` holds the raw tables by name (`ai_user_prompt_created`,
    `ai_llm_response_received`, `ai_user_action`, `rudder_discards`); a missing
    table or column is all-NULL. `taxonomy` is the set of valid intent names;
    `prices` the `ai_model_prices` seed (`model`, `input_usd_per_1m`,
    `output_usd_per_1m`, `valid_from`, `valid_to`).

    Days are naive midnight `datetime64[us]` timestamps, timestamps naive UTC
    `datetime64[us]`; see the module docstring for the other dtypes.
    """
    s = stage(raw, taxonomy, prices)
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
        "fct_ai_sessions": _fct_ai_sessions(s),
        "ai_retention_weekly": _ai_retention_weekly(s),
    }
