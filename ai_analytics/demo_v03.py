"""Spec v0.3 demo tables: RudderStack's AI SDK as its warehouse loader lands them.

`rudderstack-ai` 0.6.0 (Python, spec 0.3.0) makes each answer one
`ai_response_received` with totals over its model calls, joined to the prompt,
the per-call events, the user's actions, the classifier's labels and the
evaluator's scores by `interaction_id`. This module plays an app on that SDK,
on the world `demo_data` builds (users, sessions, conversations, turns and
their timings): each answer is an `ai_interaction` in which a LangChain agent
per intent runs (the SDK's `langchain` callback handler reports its OpenAI and
Anthropic calls and its tool runs, with a fallback to the other provider);
content capture is off (no prompt, answer, feedback or explanation text); a
model classifier and an evaluator are configured; prices are registered for
most calls; per-call events (`emit_llm_calls`) and `tool_breakdown` are on for
part of the traffic. Actions come from the app's feedback endpoint
(`track_action`), human reviews from a review tool (`track_score`).

Names and value shapes follow the SDK's source (`_core.py`, `_classify.py`,
`_pricing.py`). The loader flattens objects with `_`
(`context.wrapperLibrary.specVersion` -> `context_wrapper_library_spec_version`),
types a column by its first value, and stores arrays as JSON text the way Go's
encoder writes them: compact, object keys sorted, numbers in shortest form.

`generate` also builds the `mixed` spec: the v0.1 tables of `demo_data` for
sessions that start in the first half of the date range, v0.3 for the rest,
in the same tables, whose columns are then the union of both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ai_analytics import demo_texts as texts
from ai_analytics.demo_data import (
    ACTION_TABLE,
    CLASSIFIED_TABLE,
    COLUMN_TYPES,
    DAY_MS,
    DISCARDS_TABLE,
    ERROR,
    ERROR_TYPE_SHARE,
    FEEDBACK,
    INPUT_METHODS,
    INTENT_SHARE,
    INTERACTION_TABLE,
    MINUTE_MS,
    MODELS,
    MS,
    PROMPT_TABLE,
    REGENERATED,
    RESPONSE_TABLE,
    SCHEMAS_V03,
    SCORED_TABLE,
    SECOND_MS,
    SUCCESS,
    TIMEOUT,
    Behaviour,
    BehaviourV03,
    Bools,
    Column,
    ColumnType,
    Ints,
    Objects,
    Quirks,
    _action_table,
    _build_world,
    _constant,
    _cumsum_before,
    _discards_table,
    _duplicate_and_order,
    _enum,
    _epoch_ms,
    _hex_ids,
    _int_array,
    _load_delay_us,
    _lognormal_ms,
    _lookup,
    _prompt_table,
    _response_table,
    _series,
    _TextPools,
    _Turns,
    _turns_for,
    _World,
)

# ---------------------------------------------------------------------------
# What the SDK and the app send
# ---------------------------------------------------------------------------

# context.wrapperLibrary (_core.wrapper_context) and the RudderStack Python
# client's context.library (rudderstack/analytics/client.py).
WRAPPER_LIBRARY = ("rudderstack-ai", "0.6.0", "0.3.0")  # name, version, specVersion
PYTHON_CLIENT = ("analytics-python", "2.1.9")
INTEGRATIONS = ("langchain", "manual")
LANGCHAIN, MANUAL = 0, 1
SYSTEM_ANONYMOUS_ID = "ai_system"  # _core.SYSTEM_ANONYMOUS_ID: events without any identity
TRIGGER = "user"
PAUSE_REASON = "approval"

STATUSES = ("success", "error", "timeout", "incomplete", "cancelled", "paused")
INCOMPLETE, CANCELLED, PAUSED = 3, 4, 5  # after demo_data's SUCCESS, ERROR, TIMEOUT
PROVIDERS = ("openai", "anthropic")
MODEL_PROVIDER = np.array([0, 0, 1, 1])  # of demo_data.MODELS
# The model the provider reports having served, which the SDK sends as `model`
# (a dated version of the requested one, so no `requested_model`).
SERVED_MODELS = (
    "gpt-4o-2024-08-06",
    "gpt-4o-mini-2024-07-18",
    "claude-3-5-sonnet-20241022",
    "claude-3-5-haiku-20241022",
)
FALLBACK_MODEL = np.array([2, 3, 0, 1])  # LangChain `with_fallbacks`: the other provider
# USD per 1M tokens the app registered (`register_price`): input, output,
# cache read, cache write. The SDK prices a call with `_pricing.price_call`.
REGISTERED_PRICES = np.array(
    [
        [2.50, 10.00, 1.25, 2.50],
        [0.15, 0.60, 0.075, 0.15],
        [3.00, 15.00, 0.30, 3.75],
        [0.80, 4.00, 0.08, 1.00],
    ]
)
SYSTEM_PROMPT_TOKENS = np.array([1180, 1180, 1240, 1240])  # system prompt and tool schemas
MAX_OUTPUT_TOKENS = 1024
# The app marks its system prompt for Anthropic's cache; Haiku's minimum prefix is longer.
CACHE_WRITE_MODEL = 2
FINISH_REASONS = ("stop", "tool_calls", "length", "end_turn", "tool_use", "max_tokens")
ANSWER, TOOL_STEP, CAPPED = 0, 1, 2  # + 3 * provider
# Spec error_types of failed calls. The v0.1 generator's exception classes
# (texts.ERROR_MESSAGES order) as _core.error_type_for() names them.
CALL_ERRORS = ("rate_limit", "api_error", "connection_error", "invalid_request", "timeout")
ERROR_KIND = np.array([0, 1, 2, 1, 3])
TIMEOUT_ERROR = 4
# error_type of an interaction that did not succeed (`_build_response_properties`).
INTERACTION_ERRORS = (*CALL_ERRORS, "cancelled", "length")
CANCELLED_ERROR, LENGTH_ERROR = 5, 6

AGENTS = (
    "shopping_assistant",
    "orders_agent",
    "returns_agent",
    "tech_support_agent",
    "account_agent",
    "assistant",
)  # by intent
TOOLS = (
    ("get_product_details", "search_catalog"),
    ("get_order_status", "track_shipment"),
    ("create_return_label", "get_order_status"),
    ("run_diagnostics", "search_help_center"),
    ("get_account", "update_account_settings"),
    ("search_help_center", "web_search"),
)  # by intent, each pair in the order tool_breakdown sorts them
FEATURES = ("support_chat", "shopping_assistant", "help_center_search")
FEATURE_SHARE = (0.55, 0.30, 0.15)
SURFACES = ("web", "mobile")
SURFACE_SHARE = (0.80, 0.20)
ATTACHMENT_TYPES = ("image", "pdf", "file", "audio", "video")
ATTACHMENT_SHARE = (0.55, 0.25, 0.12, 0.05, 0.03)
# _classify.DEFAULT_OUTCOMES
OUTCOMES = ("resolved", "partial", "unresolved", "escalated", "unclear")
OUTCOME_SHARE_HAPPY = (0.75, 0.14, 0.04, 0.03, 0.04)
OUTCOME_SHARE_UNHAPPY = (0.20, 0.30, 0.30, 0.15, 0.05)
ACTION_TYPES = (
    "feedback_given",
    "copied_response",
    "regenerated",
    "shared",
    "reported",
    "feedback_retracted",
    "accepted",
    "rejected",
    "edited",
    "clicked_through",
)  # demo_data's five codes, then the v0.3 ones
RETRACTED, ACCEPTED, REJECTED, EDITED, CLICKED = range(5, 10)
CARD_KINDS = ("source_card", "product_card", "order_card")
TARGET_TYPES = ("doc", "product", "order")
CLASSIFIERS = ("model", "custom")  # the configured model classifier; a later custom re-run
CLASSIFIER_MODEL = SERVED_MODELS[1]
CLASSIFIER_WRONG_RATE = 0.12
EVALUATIONS = ("helpfulness", "groundedness", "policy_check", "human_review")
EVALUATORS = ("model", "model", "code", "human")
HELPFULNESS, GROUNDEDNESS, POLICY_CHECK, HUMAN_REVIEW = range(4)
SCORE_LABELS = ("pass", "fail")
INTENT_SUMMARIES: tuple[tuple[str, ...], ...] = (
    (
        "The user asked about a product's features.",
        "The user compared two products before buying.",
        "The user checked whether a product is in stock.",
    ),
    (
        "The user asked where their order is.",
        "The user asked how long delivery takes.",
        "The user wanted to change a delivery address.",
    ),
    (
        "The user wanted to return an item.",
        "The user asked about the status of a refund.",
        "The user asked how to exchange an item.",
    ),
    (
        "The user needed help setting up a device.",
        "The user reported an app error.",
        "The user asked how to fix a connection problem.",
    ),
    (
        "The user wanted to update account details.",
        "The user could not sign in.",
        "The user asked how to close their account.",
    ),
    (
        "The user made small talk with the assistant.",
        "The user asked a general question.",
        "The user asked what the assistant can do.",
    ),
)  # by intent; what a classifier's one-sentence `intent_summary` reads like
INTENT_LABELS = texts.INTENTS + texts.OFF_TAXONOMY_LABELS

STR = pd.StringDtype("pyarrow", np.nan)  # pandas' `str` dtype: long or unique text stays in Arrow
BOOLEAN_TEXT = np.array(["true", "false"], dtype=object)  # as `rudder_discards` holds them

TABLE_ORDER = (
    PROMPT_TABLE,
    INTERACTION_TABLE,
    RESPONSE_TABLE,
    ACTION_TABLE,
    CLASSIFIED_TABLE,
    SCORED_TABLE,
    DISCARDS_TABLE,
)

# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Streams:
    """One random stream per concern of the v0.3 tables."""

    scope: np.random.Generator
    plan: np.random.Generator
    calls: np.random.Generator
    prompts: np.random.Generator
    interactions: np.random.Generator
    llm_calls: np.random.Generator
    actions: np.random.Generator
    classified: np.random.Generator
    scored: np.random.Generator


def generate(
    events: int,
    seed: int,
    start_date: str,
    days: int,
    b: Behaviour,
    q: Quirks,
    b3: BehaviourV03,
    *,
    mixed: bool,
) -> dict[str, pd.DataFrame]:
    """The v0.3 tables, or with `mixed` both generations in the same tables.

    The first five streams are the ones v0.1 uses (the v0.1 half of a mixed
    run is built by `demo_data`'s own table functions); v0.3 takes its own after.
    """
    streams = np.random.default_rng(seed).spawn(5 + len(fields(_Streams)) + 1)
    rng_texts, rng_world, rng_prompts, rng_responses, rng_actions = streams[:5]
    rngs = _Streams(*streams[5:-1])
    start_ms = _epoch_ms(start_date)
    cutoff_ms = start_ms + days * DAY_MS // 2
    v03_rows = _rows_per_turn(b, b3, q)
    n_turns = max(1, round(events / v03_rows))
    if mixed:  # rows per turn of each kind, weighted by the share of v0.1 turns
        v01_rows = events / _turns_for(events, b, q)
        old = _v01_share(streams[-1], min(n_turns, 20_000), days, start_ms, cutoff_ms, b, q)
        n_turns = max(2, round(events / (old * v01_rows + (1 - old) * v03_rows)))
    world = _build_world(rng_world, n_turns, days, start_ms, b, q)
    if not mixed:
        return _assemble({}, _v03_tables(rngs, world, b, b3, q))
    first_half = world.prompt_ms[_session_first_turn(world)] < cutoff_ms
    v01: dict[str, dict[str, Column]] = {}
    if first_half.any():
        old = _subworld(world, first_half)
        pools = _TextPools.build(rng_texts)
        actions = _action_table(rng_actions, old, pools, b, q)
        v01 = {
            PROMPT_TABLE: _prompt_table(rng_prompts, old, pools, b, q),
            RESPONSE_TABLE: _response_table(rng_responses, old, pools, b, q),
            ACTION_TABLE: actions,
            DISCARDS_TABLE: _discards_table(actions),
        }
        del old, pools, actions
    new = _subworld(world, ~first_half)
    del world
    return _assemble(v01, _v03_tables(rngs, new, b, b3, q) if (~first_half).any() else iter(()))


def _rows_per_turn(b: Behaviour, b3: BehaviourV03, q: Quirks) -> float:
    """Expected v0.3 rows per prompt turn, over every table, duplicates included."""
    answers = 1 + b.regenerate_rate  # interactions per turn
    ok = 1 - b.error_rate - b.timeout_rate
    feedback = b.rating_rate + b.thumbs_rate
    actions = (
        b.regenerate_rate
        + feedback * (1 + b3.retraction_rate)
        + b.copy_rate
        + b.share_rate
        + b.report_rate
        + ok * (b3.accept_rate + b3.reject_rate + b3.edit_rate + b3.click_through_rate)
    )
    calls_per_answer = 1 + b3.tool_use_rate * (1 + b3.second_tool_round_rate) + b3.fallback_rate
    classified = b3.classified_rate * (1 + b3.reclassified_rate)
    scores = b3.scored_rate * (
        1 + b3.groundedness_rate + b3.policy_check_rate + b3.human_review_rate
    )
    per_answer = 1 + b3.llm_call_events_rate * calls_per_answer + classified + scores
    rows = (1 - q.dropped_prompt_rate) + answers * per_answer + actions
    return rows * (1 + q.duplicate_rate)


def _v01_share(
    rng: np.random.Generator,
    n_turns: int,
    days: int,
    start_ms: int,
    cutoff_ms: int,
    b: Behaviour,
    q: Quirks,
) -> float:
    """Share of turns in sessions starting before the cutoff, from a small pilot world."""
    pilot = _build_world(rng, n_turns, days, start_ms, b, q)
    return float(np.mean(pilot.prompt_ms[_session_first_turn(pilot)] < cutoff_ms))


def _session_first_turn(world: _World) -> Ints:
    """Index of the first turn of each turn's session (sessions are consecutive turns)."""
    n = len(world.turn_session)
    return np.maximum.accumulate(np.where(world.opens_session, np.arange(n), 0))


def _subworld(world: _World, keep: Bools) -> _World:
    """The world restricted to some turns (whole sessions, so counters stay valid).

    Per-entity arrays (users, conversations, sessions) are shared: turns keep
    pointing into them.
    """
    t = world.turns
    turns = _Turns(
        **{
            f.name: (
                {kind: delay[keep] for kind, delay in t.action_delay_ms.items()}
                if f.name == "action_delay_ms"
                else getattr(t, f.name)[keep]
            )
            for f in fields(_Turns)
        }
    )
    return replace(
        world,
        turns=turns,
        turn_user=world.turn_user[keep],
        turn_conv=world.turn_conv[keep],
        turn_session=world.turn_session[keep],
        prompt_number=world.prompt_number[keep],
        opens_session=world.opens_session[keep],
        prompt_ms=world.prompt_ms[keep],
    )


def _v03_tables(
    rngs: _Streams, world: _World, b: Behaviour, b3: BehaviourV03, q: Quirks
) -> Iterator[tuple[str, dict[str, Column]]]:
    """Each v0.3 table's columns in turn, so each becomes a frame before the next."""
    scope = _scope(rngs.scope, world, b3)
    plan = _plan(rngs.plan, world, b, b3)
    calls, totals = _calls(rngs.calls, world, plan, b3)
    yield RESPONSE_TABLE, _llm_calls(rngs.llm_calls, world, plan, calls, scope, b3, q)
    del calls  # the largest working set: interactions need only the totals
    yield INTERACTION_TABLE, _interactions(rngs.interactions, world, plan, totals, scope, b3, q)
    del totals
    yield PROMPT_TABLE, _prompts(rngs.prompts, world, plan, scope, b3, q)
    actions = _actions(rngs.actions, world, plan, scope, b, b3, q)
    discards = _discards_table(actions)
    yield ACTION_TABLE, actions
    yield CLASSIFIED_TABLE, _classified(rngs.classified, world, plan, scope, b, b3, q)
    yield SCORED_TABLE, _scored(rngs.scored, world, plan, scope, b, b3, q)
    yield DISCARDS_TABLE, discards


# ---------------------------------------------------------------------------
# The app's interactions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """Properties the app sets per request context (`ai_context`)."""

    feature: Ints  # per conversation, -1 = not set
    surface: Ints  # per session, -1 = not set
    account: Objects  # per user, None = not set


@dataclass
class _Plan:
    """One entry per interaction: every turn's answer, then each regenerated answer
    (a new interaction, in the turn's conversation, without a prompt event)."""

    turn: Ints
    interaction_id: Objects
    status: Ints  # STATUSES
    start_ms: Ints
    latency_ms: Ints
    model: Ints  # the conversation's model; a fallback call uses FALLBACK_MODEL
    rounds: Ints  # tool rounds (tool calls) before the answer
    first_tool: Ints  # which tool of the intent's pair ran first
    fallback: Bools
    streaming: Bools
    unpriced: Bools
    happy: Bools  # the user's last word on it was not negative
    prompt_label: Ints  # per turn: the app's `set_intent` label on the prompt (INTENT_LABELS, -1)
    response_label: Ints  # per interaction: on `ai_response_received`
    outcome: Ints  # the app's `set_outcome`, -1 = not set
    last_of_turn: Ints  # per turn: the interaction whose answer the user saw last


@dataclass
class _Calls:
    """One entry per model call; the calls of an interaction are consecutive."""

    interaction: Ints
    model: Ints
    input: Ints
    output: Ints
    cached: Ints
    write: Ints
    reasoning: Bools  # reported (as 0: OpenAI's chat models report no reasoning)
    error: Ints  # INTERACTION_ERRORS code, -1 = succeeded
    finish: Ints  # FINISH_REASONS code, -1 = none
    cost_units: Ints  # USD 1e-8 (the SDK rounds costs to 8 decimals), -1 = unpriced
    end_ms: Ints


@dataclass
class _Totals:
    """Per interaction: what `_build_response_properties` derives from its calls."""

    count: Ints
    model: Ints  # `primary_model`: of the last successful call, else of the last call
    served: Bools  # the primary model is the one a response named (else the requested one)
    finish: Ints  # of the last successful call, -1 = none
    input: Ints
    output: Ints
    cached: Ints
    write: Ints
    reasoning: Bools  # some call reported reasoning tokens
    # The successful calls: one `usage_breakdown` entry (one served model each)
    ok_count: Ints
    ok_input: Ints
    ok_output: Ints
    ok_cached: Ints
    ok_write: Ints
    # A failed last call: an entry of its own, under the requested model's name
    failed_last: Bools
    last_model: Ints
    last_input: Ints
    last_output: Ints
    last_cached: Ints
    last_write: Ints
    cost_units: Ints  # `total_cost_usd` in 1e-8 USD, -1 = omitted
    error_code: Ints  # `error_type`, -1 = none
    ttft_ms: Ints  # -1 = none
    tool_ms: Ints  # shape (m, 2): measured run time of each tool of the intent's pair


def _scope(rng: np.random.Generator, world: _World, b3: BehaviourV03) -> _Scope:
    """Feature per conversation, surface per session, account (tenant) per signed-in user."""
    n_conv, n_sessions = len(world.conversation_id), len(world.session_id_ms)
    n_users = len(world.users.user_id)
    feature = rng.choice(len(FEATURES), size=n_conv, p=FEATURE_SHARE)
    surface = rng.choice(len(SURFACES), size=n_sessions, p=SURFACE_SHARE)
    accounts = _hex_ids(rng, max(1, n_users // 6), n_bytes=5, prefix="acct_")
    member = rng.integers(0, len(accounts), n_users)
    has_account = pd.notna(world.users.user_id) & (rng.random(n_users) < b3.account_rate)
    return _Scope(
        feature=np.where(rng.random(n_conv) < b3.feature_rate, feature, -1),
        surface=np.where(rng.random(n_sessions) < b3.surface_rate, surface, -1),
        account=np.where(has_account, accounts[member], None).astype(object),
    )


def _plan(rng: np.random.Generator, world: _World, b: Behaviour, b3: BehaviourV03) -> _Plan:
    """Draw what each interaction is: status, tool rounds, fallback, streaming, labels."""
    t = world.turns
    n = len(t.intent)
    regen = np.flatnonzero(t.regenerated)
    turn = np.r_[np.arange(n), regen]
    m = len(turn)
    status = np.r_[t.status, t.status2[regen]]
    # Some answers that did not fail ended otherwise: the v0.3 statuses.
    u = rng.random(m)
    edges = np.cumsum([b3.incomplete_rate, b3.cancelled_rate, b3.paused_rate])
    ok = status == SUCCESS
    status = np.where(ok & (u < edges[0]), INCOMPLETE, status)
    status = np.where(ok & (u >= edges[0]) & (u < edges[1]), CANCELLED, status)
    status = np.where(ok & (u >= edges[1]) & (u < edges[2]), PAUSED, status)
    rounds = np.where(
        rng.random(m) < b3.tool_use_rate, 1 + (rng.random(m) < b3.second_tool_round_rate), 0
    )
    rounds = np.where(status == PAUSED, np.maximum(rounds, 1), rounds)  # paused on a tool call
    fallback = (
        (rounds == 0)
        & ((status == SUCCESS) | (status == INCOMPLETE))
        & (rng.random(m) < b3.fallback_rate)
    )
    last_of_turn = np.arange(n)
    last_of_turn[regen] = n + np.arange(len(regen))
    superseded = np.zeros(m, dtype=bool)
    superseded[regen] = True  # the first answer of a regenerated turn
    bad_feedback = ((t.feedback == 1) & (t.rating <= 2)) | ((t.feedback == 2) & (t.thumb % 2 == 1))
    prompt_label = _prompt_labels(rng, t.intent, b)
    response_label = np.where(
        prompt_label[turn] >= 0,
        prompt_label[turn],
        np.where(rng.random(m) < b.response_intent_rate, t.intent[turn], -1),
    )
    happy = ~superseded & (status == SUCCESS) & ~bad_feedback[turn]
    outcome = np.where(
        happy,
        rng.choice(len(OUTCOMES), size=m, p=OUTCOME_SHARE_HAPPY),
        rng.choice(len(OUTCOMES), size=m, p=OUTCOME_SHARE_UNHAPPY),
    )
    return _Plan(
        turn=turn,
        interaction_id=_hex_ids(rng, m, uuid=True),
        status=status,
        start_ms=world.prompt_ms[turn] + np.r_[np.zeros(n, np.int64), t.regenerate_at_ms[regen]],
        latency_ms=np.r_[t.latency_ms, t.latency2_ms[regen]],
        model=t.model[turn],
        rounds=rounds,
        first_tool=rng.integers(0, 2, m),
        fallback=fallback,
        streaming=(rng.random(m) < b3.streaming_rate) | (status == CANCELLED),
        unpriced=rng.random(m) < b3.unpriced_rate,
        happy=happy,
        prompt_label=prompt_label,
        response_label=response_label,
        outcome=np.where(rng.random(m) < b3.outcome_rate, outcome, -1),
        last_of_turn=last_of_turn,
    )


def _prompt_labels(rng: np.random.Generator, intent: Ints, b: Behaviour) -> Ints:
    """The app's own intent on about half the prompts; a few outside the taxonomy."""
    n = len(intent)
    u = rng.random(n)
    off = len(texts.INTENTS) + rng.integers(0, len(texts.OFF_TAXONOMY_LABELS), n)
    code = np.where(u < b.prompt_intent_rate, intent, -1)
    in_off = (u >= b.prompt_intent_rate) & (u < b.prompt_intent_rate + b.prompt_off_taxonomy_rate)
    return np.where(in_off, off, code)


def _calls(
    rng: np.random.Generator, world: _World, p: _Plan, b3: BehaviourV03
) -> tuple[_Calls, _Totals]:
    """Every model call of every interaction, and the totals the SDK derives from them.

    A tool round is one call that asks for a tool (its output and the tool's
    result grow the next call's input); then comes the answer, unless the run
    paused on the last tool call. A fallback is a failed call to the
    conversation's model and a call to the other provider's. The interaction's
    status comes from its last call, as `_build_response_properties` derives it.
    """
    m = len(p.turn)
    count = np.where(p.status == PAUSED, p.rounds, p.rounds + 1) + p.fallback
    first = np.cumsum(count) - count
    inter = np.repeat(np.arange(m), count)
    c = len(inter)
    pos = np.arange(c) - first[inter]
    opens = pos == 0
    last = pos == count[inter] - 1
    status = p.status[inter]
    fell_back = p.fallback[inter]
    failed_first = fell_back & opens
    model = np.where(fell_back & ~opens, FALLBACK_MODEL[p.model[inter]], p.model[inter])
    provider = MODEL_PROVIDER[model]
    tool_step = pos < p.rounds[inter]

    kind = ERROR_KIND[rng.choice(len(ERROR_TYPE_SHARE), size=c, p=ERROR_TYPE_SHARE)]
    error = np.where(last & (status == ERROR), kind, -1)
    error = np.where(last & (status == TIMEOUT), TIMEOUT_ERROR, error)
    error = np.where(last & (status == CANCELLED), CANCELLED_ERROR, error)
    error = np.where(failed_first, np.where(rng.random(c) < 0.6, 0, 1), error)
    cancelled = error == CANCELLED_ERROR

    # Tokens: history grows with the conversation, tool rounds grow the input.
    pn = world.prompt_number[p.turn]
    history = np.rint(
        np.clip((110.0 + 45.0 * (pn - 1)) * rng.lognormal(0, 0.45, m), 50, 800)
    ).astype(np.int64)
    step_output = _count_draw(rng, c, 45, 0.5, 15, 200)
    tool_result = _count_draw(rng, c, 350, 0.6, 60, 1500)
    answer_output = _count_draw(rng, c, 220, 0.7, 20, 1200)
    output = np.where(tool_step, step_output, answer_output)
    output = np.where(last & (status == INCOMPLETE), MAX_OUTPUT_TOKENS, output)
    # A stopped stream keeps the usage streamed so far: Anthropic's input (and one
    # output token) from its first event; OpenAI sends usage only at the end.
    output = np.where(cancelled, 1, output)
    system = SYSTEM_PROMPT_TOKENS[model]
    grown = np.where(tool_step, output + tool_result, 0)
    inputs = system + history[inter] + _cumsum_before(grown, opens)
    # Prompt caching: OpenAI caches a repeated prefix of 1024+ tokens in 128-token
    # steps; the app marks its Anthropic system prompt, written on a
    # conversation's first call (or after expiry), read afterwards.
    warm = (pn[inter] >= 2) & (rng.random(c) < 0.75)
    previous_input = np.r_[0, inputs[:-1]]
    prefix = np.where(~opens & ~fell_back, previous_input, np.where(warm, system, 0))
    openai_cached = np.where(prefix >= 1024, 1024 + 128 * ((prefix - 1024) // 128), 0)
    marked = model == CACHE_WRITE_MODEL
    writes = marked & (((pn[inter] == 1) & opens) | fell_back | (rng.random(c) < 0.15))
    cached = np.where(provider == 0, openai_cached, np.where(marked & ~writes, system, 0))
    write = np.where(writes, system, 0)
    no_usage = (error >= 0) & ~(cancelled & (provider == 1))  # a failed call: no tokens
    inputs, output, cached, write = (
        np.where(no_usage, 0, x) for x in (inputs, output, cached, write)
    )

    finish = np.where(tool_step, TOOL_STEP, np.where(last & (status == INCOMPLETE), CAPPED, ANSWER))
    finish = np.where(error >= 0, -1, 3 * provider + finish)
    priced = (error < 0) & ~p.unpriced[inter]
    cost_units = np.where(priced, _cost_units(model, inputs, output, cached, write), -1)

    # Time: the latency split over the calls (tool runs included), the last ending it.
    weight = np.where(tool_step, rng.lognormal(np.log(0.6), 0.4, c), rng.lognormal(0, 0.3, c))
    weight = np.where(failed_first, 0.15, weight)
    reached = _cumsum_before(weight, opens) + weight
    share = reached / np.add.reduceat(weight, first)[inter]
    start = p.start_ms[inter]
    latency = p.latency_ms[inter]
    end_ms = np.where(last, start + latency, start + np.rint(latency * share))

    succeeded = error < 0
    index = np.arange(c)
    last_ok = np.maximum.reduceat(np.where(succeeded, index, -1), first)
    last_call = first + count - 1
    primary = np.where(last_ok >= 0, last_ok, last_call)
    priced_total = np.add.reduceat(np.where(cost_units >= 0, cost_units, 0), first)
    n_priced = np.add.reduceat((cost_units >= 0).astype(np.int64), first)
    unpriced_ok = np.add.reduceat((succeeded & (cost_units < 0)).astype(np.int64), first)
    # `_priced_total`: the sum of known costs, omitted when a successful call was unpriced.
    total_units = np.where((n_priced > 0) & (unpriced_ok == 0), priced_total, -1)
    error_code = np.select(
        [p.status == ERROR, p.status == TIMEOUT, p.status == CANCELLED, p.status == INCOMPLETE],
        [error[last_call], TIMEOUT_ERROR, CANCELLED_ERROR, LENGTH_ERROR],
        -1,
    )
    # Time to first token: streamed answers, within the first call that produced tokens.
    produced = succeeded | cancelled
    first_tokens = np.minimum.reduceat(np.where(produced, index, c), first)
    has_ttft = p.streaming & (first_tokens < c)
    at = np.minimum(first_tokens, c - 1)
    call_start = np.where(pos[at] == 0, start[at], np.r_[0, end_ms[:-1]][at])
    ttft = call_start - p.start_ms + np.rint((end_ms[at] - call_start) * rng.uniform(0.1, 0.4, m))
    tool_ms = _count_draw(rng, 2 * m, 400, 0.9, 20, 8000).reshape(m, 2)
    reasoning = (provider == 0) & succeeded
    calls = _Calls(
        interaction=inter,
        model=model,
        input=inputs,
        output=output,
        cached=cached,
        write=write,
        reasoning=reasoning,
        error=error,
        finish=finish,
        cost_units=cost_units,
        end_ms=end_ms.astype(np.int64),
    )

    def served(values: Ints) -> Ints:  # summed over the successful calls
        return np.add.reduceat(np.where(succeeded, values, 0), first)

    totals = _Totals(
        count=count,
        model=model[primary],
        served=last_ok >= 0,
        finish=np.where(last_ok >= 0, finish[np.maximum(last_ok, 0)], -1),
        input=np.add.reduceat(inputs, first),
        output=np.add.reduceat(output, first),
        cached=np.add.reduceat(cached, first),
        write=np.add.reduceat(write, first),
        reasoning=np.add.reduceat(reasoning.astype(np.int64), first) > 0,
        ok_count=served(np.ones(c, dtype=np.int64)),
        ok_input=served(inputs),
        ok_output=served(output),
        ok_cached=served(cached),
        ok_write=served(write),
        failed_last=error[last_call] >= 0,
        last_model=model[last_call],
        last_input=inputs[last_call],
        last_output=output[last_call],
        last_cached=cached[last_call],
        last_write=write[last_call],
        cost_units=total_units,
        error_code=error_code,
        ttft_ms=np.where(has_ttft, np.maximum(ttft, 50), -1).astype(np.int64),
        tool_ms=np.minimum(tool_ms, np.maximum(p.latency_ms // 3, 1)[:, None]),
    )
    return calls, totals


def _count_draw(
    rng: np.random.Generator, n: int, median: float, sigma: float, low: float, high: float
) -> Ints:
    """Clipped lognormal whole numbers (tokens, milliseconds)."""
    return _lognormal_ms(rng, n, median, sigma, low, high)


def _cost_units(model: Ints, inputs: Ints, output: Ints, cached: Ints, write: Ints) -> Ints:
    """`_pricing.price_call` with the registered prices, in units of 1e-8 USD.

    Same operations in the same order as the SDK, so the floats agree:
    `round_cost(tokens)` = floor(tokens * 1e8 + 0.5) / 1e8.
    """
    price = REGISTERED_PRICES[model]
    uncached = np.maximum(inputs - cached - write, 0)
    tokens = (
        uncached * price[:, 0] + cached * price[:, 2] + write * price[:, 3] + output * price[:, 1]
    ) / 1_000_000
    return np.floor(tokens * 1e8 + 0.5).astype(np.int64)


# ---------------------------------------------------------------------------
# Event tables
# ---------------------------------------------------------------------------


def _sdk_columns(
    rng: np.random.Generator,
    table: str,
    world: _World,
    turn: Ints,
    event_ms: Ints,
    q: Quirks,
    integration: Ints | int,
    *,
    no_session: Bools | None = None,
    system: Bools | None = None,
) -> dict[str, Column]:
    """Standard columns of an event the SDK sent through the RudderStack Python client.

    Server-side: no clock skew, no locale, no `sessionStart`; the session id
    comes from the browser's `rl_session` cookie (`identity_from_cookies`).
    `system` rows had no identity at all, so the SDK sent `ai_system`.
    """
    n = len(turn)
    user = world.turn_user[turn]
    anonymous_id, user_id = world.users.anonymous_id[user], world.users.user_id[user]
    if system is not None:
        anonymous_id = anonymous_id.copy()
        anonymous_id[system] = SYSTEM_ANONYMOUS_ID
        user_id = np.where(system, None, user_id)
    times = _sdk_delivery_times(rng, event_ms, q.late_arrival_rate)
    return {
        "id": _hex_ids(rng, n, uuid=True, arrow=True),
        "anonymous_id": anonymous_id,
        "user_id": user_id,
        "event": _constant(n, table),
        "event_text": _constant(n, table),
        **times,
        "channel": _constant(n, "server"),
        "context_library_name": _constant(n, PYTHON_CLIENT[0]),
        "context_library_version": _constant(n, PYTHON_CLIENT[1]),
        "context_session_id": _int_array(world.session_id_ms[world.turn_session[turn]], no_session),
        "context_wrapper_library_name": _constant(n, WRAPPER_LIBRARY[0]),
        "context_wrapper_library_version": _constant(n, WRAPPER_LIBRARY[1]),
        "context_wrapper_library_integration": np.array(INTEGRATIONS, dtype=object)[
            np.broadcast_to(integration, n)
        ],
        "context_wrapper_library_spec_version": _constant(n, WRAPPER_LIBRARY[2]),
    }


def _sdk_delivery_times(
    rng: np.random.Generator, event_ms: Ints, late_rate: float
) -> dict[str, Ints]:
    """RudderStack's timestamps of a server event, in microseconds.

    The client stamps `timestamp` (kept, as it is sent) and sends its queue a
    little later (`sent_at`, on the batch); a late event waited one to three
    days in a client that could not reach the data plane. `original_timestamp`
    is set on delivery (`_deliver`).
    """
    n = len(event_ms)
    send = rng.exponential(400.0, n).astype(np.int64)
    send = np.where(rng.random(n) < late_rate, rng.integers(DAY_MS, 3 * DAY_MS, n), send)
    sent = event_ms + send
    received = sent + _lognormal_ms(rng, n, 80, 0.6, 5, 2000)
    return {
        "timestamp": event_ms * MS,
        "original_timestamp": received * MS,
        "sent_at": sent * MS,
        "received_at": received * MS,
        "uuid_ts": received * MS + _load_delay_us(rng, n),
    }


def _deliver(
    rng: np.random.Generator, cols: dict[str, Column], keep: Bools, q: Quirks
) -> dict[str, Column]:
    """`demo_data`'s delivery (losses, duplicates, load order) of SDK events.

    The Python client sends `timestamp` (kept as is) but no `originalTimestamp`,
    which rudder-server sets to each delivery's `receivedAt`.
    """
    cols = _duplicate_and_order(rng, cols, keep, q)
    cols["original_timestamp"] = cols["received_at"].copy()
    return cols


def _scope_columns(
    world: _World, scope: _Scope, turn: Ints, interaction_id: Objects, blank: Bools | None = None
) -> dict[str, Column]:
    """The SDK's `_base_properties()`: ids, and the request's feature, surface and account."""
    conv = world.turn_conv[turn]
    feature = scope.feature[conv]
    surface = scope.surface[world.turn_session[turn]]
    account = scope.account[world.turn_user[turn]]
    if blank is not None:  # sent from outside the request, knowing the ids only
        feature, surface = np.where(blank, -1, feature), np.where(blank, -1, surface)
        account = np.where(blank, None, account)
    return {
        "conversation_id": world.conversation_id[conv],
        "interaction_id": interaction_id,
        "feature": _lookup(np.array(FEATURES, dtype=object), feature),
        "surface": _lookup(np.array(SURFACES, dtype=object), surface),
        "account_id": account,
    }


def _prompts(
    rng: np.random.Generator,
    world: _World,
    p: _Plan,
    scope: _Scope,
    b3: BehaviourV03,
    q: Quirks,
) -> dict[str, Column]:
    """`ai_user_prompt_created`: held until the first model call, sent with the prompt's time."""
    n = len(world.turns.intent)
    turn = np.arange(n)
    cols = _sdk_columns(rng, PROMPT_TABLE, world, turn, world.prompt_ms, q, LANGCHAIN)
    cols.update(_scope_columns(world, scope, turn, p.interaction_id[:n]))
    cols["input_method"] = _enum(rng, INPUT_METHODS, world.turns.input_method, q.odd_casing_rate)
    attached = rng.random(n) < b3.attachment_rate
    count = 1 + rng.binomial(2, 0.25, n)
    cols["attachment_count"] = _int_array(count, ~attached)
    cols["attachment_types"] = _attachment_types(rng, count, attached)
    cols["intent"] = _enum(rng, INTENT_LABELS, p.prompt_label, q.odd_casing_rate)
    keep = rng.random(n) >= q.dropped_prompt_rate
    return _deliver(rng, cols, keep, q)


def _attachment_types(rng: np.random.Generator, count: Ints, attached: Bools) -> Objects:
    """`attachment_types`: each kind once, in order of first use (`_core._attachments`), as JSON."""
    n = len(count)
    kinds = rng.choice(len(ATTACHMENT_TYPES), size=(n, 3), p=ATTACHMENT_SHARE)
    kinds = np.where(np.arange(3) < count[:, None], kinds, -1)
    width = len(ATTACHMENT_TYPES) + 1
    key = ((kinds[:, 0] + 1) * width + kinds[:, 1] + 1) * width + kinds[:, 2] + 1
    unique, where = np.unique(key, return_inverse=True)
    texts_of = []
    for k in unique.tolist():
        digits = [k // (width * width), k // width % width, k % width]
        used = [ATTACHMENT_TYPES[d - 1] for d in digits if d > 0]
        texts_of.append(_json_text(list(dict.fromkeys(used))))
    return np.where(attached, np.array(texts_of, dtype=object)[where], None)


def _interactions(
    rng: np.random.Generator,
    world: _World,
    p: _Plan,
    totals: _Totals,
    scope: _Scope,
    b3: BehaviourV03,
    q: Quirks,
) -> dict[str, Column]:
    """`ai_response_received`: one per interaction, with totals over its calls."""
    m = len(p.turn)
    end_ms = p.start_ms + p.latency_ms
    cols = _sdk_columns(rng, INTERACTION_TABLE, world, p.turn, end_ms, q, LANGCHAIN)
    cols.update(_scope_columns(world, scope, p.turn, p.interaction_id))
    cols["response_status"] = np.array(STATUSES, dtype=object)[p.status]
    cols["pause_reason"] = _text_where(p.status == PAUSED, PAUSE_REASON)
    cols["trigger"] = _constant(m, TRIGGER)
    cols["client_disconnected"] = pd.arrays.BooleanArray(
        np.ones(m, dtype=bool), p.status != CANCELLED
    )
    cols["primary_model"] = _model_names(totals.model, totals.served)
    cols["primary_provider"] = np.array(PROVIDERS, dtype=object)[MODEL_PROVIDER[totals.model]]
    cols["latency_ms"] = _int_array(p.latency_ms)
    cols["time_to_first_token_ms"] = _int_array(totals.ttft_ms, totals.ttft_ms < 0)
    cols["llm_call_count"] = _int_array(totals.count)
    cols["tool_call_count"] = _int_array(p.rounds)
    cols["total_input_tokens"] = _int_array(totals.input)
    cols["total_output_tokens"] = _int_array(totals.output)
    cols["total_reasoning_tokens"] = _int_array(np.zeros(m, dtype=np.int64), ~totals.reasoning)
    cols["total_tokens"] = _int_array(totals.input + totals.output)
    cols["total_cached_input_tokens"] = _int_array(totals.cached)
    cols["total_cache_write_tokens"] = _int_array(totals.write)
    units = totals.cost_units
    cols["total_cost_usd"] = np.where(units >= 0, units / 1e8, np.nan)
    cols["finish_reason"] = _lookup(np.array(FINISH_REASONS, dtype=object), totals.finish)
    cols["error_type"] = _lookup(np.array(INTERACTION_ERRORS, dtype=object), totals.error_code)
    cols["intent"] = _enum(rng, INTENT_LABELS, p.response_label, q.odd_casing_rate)
    cols["outcome"] = _lookup(np.array(OUTCOMES, dtype=object), p.outcome)
    with_tools = (p.rounds > 0) & (rng.random(m) < b3.tool_breakdown_rate)
    cols["_interaction"] = np.arange(m)
    cols = _deliver(rng, cols, np.ones(m, dtype=bool), q)
    # The JSON text is written for the delivered rows, in their order, rather
    # than written first and then gathered: it is most of the table's bytes.
    rows = cols.pop("_interaction")
    cols["usage_breakdown"] = _in_chunks(rows, lambda at: _usage_breakdown(world, p, totals, at))
    tools = np.flatnonzero(with_tools[rows])
    tool_breakdown = _constant(len(rows), None)
    tool_breakdown[tools] = _objects(
        _in_chunks(rows[tools], lambda at: _tool_breakdown(world, p, totals, at))
    )
    cols["tool_breakdown"] = tool_breakdown
    return cols


def _usage_breakdown(world: _World, p: _Plan, totals: _Totals, rows: Ints) -> pa.Array:
    """`usage_breakdown` (`_core._breakdown`) of some interactions: per agent, provider, model.

    A call is grouped under the model it reported: the served, dated one when
    it answered, the requested one when it failed. So an interaction has an
    entry for its successful calls, one before it for a fallback's failed
    first call, and one after it when its last call failed (no tokens unless
    a stopped stream had streamed some; never a cost).
    """
    n = len(rows)
    agent = _quoted(AGENTS, world.turns.intent[p.turn[rows]])
    zero, one = np.zeros(n, np.int64), np.ones(n, np.int64)

    def failed_entry(model: Ints, tokens: tuple[Ints, Ints, Ints, Ints]) -> pa.Array:
        inputs, output, cached, write = tokens
        return _json_object(
            [
                ("agent_name", agent, None),
                ("cache_write_tokens", write, None),
                ("cached_input_tokens", cached, None),
                ("call_count", one, None),
                ("error_count", one, None),
                ("input_tokens", inputs, None),
                ("model", _quoted(MODELS, model), None),
                ("output_tokens", output, None),
                ("provider", _quoted(PROVIDERS, MODEL_PROVIDER[model]), None),
                ("total_tokens", inputs + output, None),
            ]
        )

    model = totals.model[rows]
    units = totals.cost_units[rows]
    inputs, output = totals.ok_input[rows], totals.ok_output[rows]
    served = _json_object(
        [
            ("agent_name", agent, None),
            ("cache_write_tokens", totals.ok_write[rows], None),
            ("cached_input_tokens", totals.ok_cached[rows], None),
            ("call_count", totals.ok_count[rows], None),
            ("cost_usd", _usd(np.maximum(units, 0)), units >= 0),
            ("error_count", zero, None),
            ("input_tokens", inputs, None),
            ("model", _quoted(SERVED_MODELS, model), None),
            ("output_tokens", output, None),
            ("provider", _quoted(PROVIDERS, MODEL_PROVIDER[model]), None),
            ("reasoning_tokens", zero, totals.reasoning[rows]),
            ("total_tokens", inputs + output, None),
        ]
    )
    last = (
        totals.last_input[rows],
        totals.last_output[rows],
        totals.last_cached[rows],
        totals.last_write[rows],
    )
    return _json_array(
        [
            (failed_entry(p.model[rows], (zero, zero, zero, zero)), p.fallback[rows]),
            (served, totals.ok_count[rows] > 0),
            (failed_entry(totals.last_model[rows], last), totals.failed_last[rows]),
        ]
    )


def _model_names(model: Ints, served: Bools) -> Objects:
    """A call's model as reported: the dated one served, else the one requested."""
    return np.where(
        served, np.array(SERVED_MODELS, dtype=object)[model], np.array(MODELS, dtype=object)[model]
    )


def _tool_breakdown(world: _World, p: _Plan, totals: _Totals, rows: Ints) -> pa.Array:
    """`tool_breakdown` (`_core._tool_breakdown`) of some interactions: per tool, by name.

    LangChain's callbacks measure each tool run and know its outcome; the tool
    a paused run waits on has neither (no duration, no error count).
    """
    intent = world.turns.intent[p.turn[rows]]
    rounds, first_tool = p.rounds[rows], p.first_tool[rows]
    agent = _quoted(AGENTS, intent)
    last_tool = np.where(rounds == 1, first_tool, 1 - first_tool)
    one, zero = np.ones(len(rows), np.int64), np.zeros(len(rows), np.int64)
    entries = []
    for slot in (0, 1):
        used = ((rounds >= 1) & (first_tool == slot)) | ((rounds == 2) & (first_tool != slot))
        measured = ~((p.status[rows] == PAUSED) & (last_tool == slot))
        duration = totals.tool_ms[rows, slot]
        entry = _json_object(
            [
                ("agent_name", agent, None),
                ("call_count", one, None),
                ("duration_ms", duration, measured),
                ("error_count", zero, measured),
                ("max_duration_ms", duration, measured),
                ("measured_count", one, measured),
                ("tool_name", _quoted(tuple(pair[slot] for pair in TOOLS), intent), None),
            ]
        )
        entries.append((entry, used))
    return _json_array(entries)


def _llm_calls(
    rng: np.random.Generator,
    world: _World,
    p: _Plan,
    calls: _Calls,
    scope: _Scope,
    b3: BehaviourV03,
    q: Quirks,
) -> dict[str, Column]:
    """`ai_llm_response_received` per model call (`_emit_llm_call`), where the app turned it on."""
    m = len(p.turn)
    emitting = rng.random(m) < b3.llm_call_events_rate
    rows = np.flatnonzero(emitting[calls.interaction])
    k = len(rows)
    inter = calls.interaction[rows]
    turn = p.turn[inter]
    cols = _sdk_columns(rng, RESPONSE_TABLE, world, turn, calls.end_ms[rows], q, LANGCHAIN)
    cols.update(_scope_columns(world, scope, turn, p.interaction_id[inter]))
    model = calls.model[rows]
    provider = MODEL_PROVIDER[model]
    succeeded = calls.error[rows] < 0
    cols["provider"] = np.array(PROVIDERS, dtype=object)[provider]
    cols["model"] = _model_names(model, succeeded)
    cols["input_tokens"] = _int_array(calls.input[rows])
    cols["output_tokens"] = _int_array(calls.output[rows])
    cols["total_tokens"] = _int_array(calls.input[rows] + calls.output[rows])
    cols["cached_input_tokens"] = _int_array(calls.cached[rows])
    cols["cache_write_tokens"] = _int_array(calls.write[rows])
    cols["reasoning_tokens"] = _int_array(np.zeros(k, dtype=np.int64), ~calls.reasoning[rows])
    units = calls.cost_units[rows]
    cols["cost_usd"] = np.where(units >= 0, units / 1e8, np.nan)
    # Provider message ids; langchain-openai replaces a streamed call's with a run id.
    has_id = succeeded & ((provider == 1) | ~p.streaming[inter])
    ids = np.where(
        provider == 0,
        _hex_ids(rng, k, n_bytes=14, prefix="chatcmpl-"),
        _hex_ids(rng, k, n_bytes=12, prefix="msg_01"),
    )
    cols["response_id"] = np.where(has_id, ids, None)
    cols["finish_reason"] = _lookup(np.array(FINISH_REASONS, dtype=object), calls.finish[rows])
    cols["error_type"] = _lookup(np.array(INTERACTION_ERRORS, dtype=object), calls.error[rows])
    cols["agent_name"] = np.array(AGENTS, dtype=object)[world.turns.intent[turn]]
    return _deliver(rng, cols, np.ones(k, dtype=bool), q)


def _actions(
    rng: np.random.Generator,
    world: _World,
    p: _Plan,
    scope: _Scope,
    b: Behaviour,
    b3: BehaviourV03,
    q: Quirks,
) -> dict[str, Column]:
    """`ai_user_action` from the app's feedback endpoint (`track_action`), on an interaction."""
    action, turn, offset, target = _action_rows(rng, world, p, b3)
    n = len(turn)
    cols = _sdk_columns(rng, ACTION_TABLE, world, turn, world.prompt_ms[turn] + offset, q, MANUAL)
    scoped = _scope_columns(world, scope, turn, p.interaction_id[target])
    for name in ("conversation_id", "interaction_id", "account_id", "surface"):
        cols[name] = scoped[name]
    cols["action_type"] = _enum(rng, ACTION_TYPES, action, q.odd_casing_rate)
    cols.update(_feedback_details(rng, world, action, turn, cols["uuid_ts"], q))
    card = np.where(action == CLICKED, rng.integers(0, len(CARD_KINDS), n), -1)
    cols["action_details_card_kind"] = _lookup(np.array(CARD_KINDS, dtype=object), card)
    cols["action_details_target_type"] = _lookup(np.array(TARGET_TYPES, dtype=object), card)
    return _deliver(rng, cols, np.ones(n, dtype=bool), q)


def _action_rows(
    rng: np.random.Generator, world: _World, p: _Plan, b3: BehaviourV03
) -> tuple[Ints, Ints, Ints, Ints]:
    """Action type, turn, time after the prompt (ms) and interaction of every action.

    The world's actions (demo_data) act on the answer the user saw last, a
    regeneration on the answer it replaced. The v0.3 actions on suggestions
    follow a successful answer; a retraction follows its feedback.
    """
    t = world.turns
    n = len(t.intent)
    regen = np.flatnonzero(t.regenerated)
    last = p.last_of_turn
    parts = [(REGENERATED, regen, t.regenerate_at_ms[regen], regen)]
    for kind, delay in t.action_delay_ms.items():
        rows = np.flatnonzero(delay >= 0)
        parts.append((kind, rows, t.last_response_ms[rows] + delay[rows], last[rows]))
    final_ok = p.status[last] == SUCCESS
    u = rng.random(n)
    edges = np.cumsum([b3.accept_rate, b3.reject_rate, b3.edit_rate])
    suggestions = {
        ACCEPTED: u < edges[0],
        REJECTED: (u >= edges[0]) & (u < edges[1]),
        EDITED: (u >= edges[1]) & (u < edges[2]),
        CLICKED: rng.random(n) < b3.click_through_rate,
    }
    for kind, mask in suggestions.items():
        rows = np.flatnonzero(final_ok & mask)
        delay = _count_draw(rng, len(rows), 15 * SECOND_MS, 0.9, SECOND_MS, 5 * MINUTE_MS)
        parts.append((kind, rows, t.last_response_ms[rows] + delay, last[rows]))
    feedback_delay = t.action_delay_ms[FEEDBACK]
    given = np.flatnonzero(feedback_delay >= 0)
    retracted = given[rng.random(len(given)) < b3.retraction_rate]
    after = _count_draw(rng, len(retracted), MINUTE_MS, 1.0, 3 * SECOND_MS, 30 * MINUTE_MS)
    at = t.last_response_ms[retracted] + feedback_delay[retracted] + after
    parts.append((RETRACTED, retracted, at, last[retracted]))
    action = np.concatenate([np.full(len(rows), kind, np.int64) for kind, rows, _, _ in parts])
    turn = np.concatenate([rows for _, rows, _, _ in parts])
    offset = np.concatenate([offset for _, _, offset, _ in parts])
    target = np.concatenate([target for _, _, _, target in parts])
    return action, turn, offset, target


def _feedback_details(
    rng: np.random.Generator,
    world: _World,
    action: Ints,
    turn: Ints,
    uuid_ts: Ints,
    q: Quirks,
) -> dict[str, Column]:
    """`action_details` of feedback: ratings as numbers, thumbs as booleans.

    The loader types `action_details_feedback_value` by the first value it
    loads; a rating is made first (as in v0.1), so the column is BIGINT and
    every thumbs value goes to `rudder_discards` as `true`/`false`.
    """
    t = world.turns
    kind = np.where(action == FEEDBACK, t.feedback[turn], 0)
    rating = t.rating[turn].copy()
    rows = np.flatnonzero(kind > 0)
    if len(rows):
        first = rows[np.argmin(uuid_ts[rows])]
        if kind[first] == 2:
            kind[first], rating[first] = 1, 4
    up = t.thumb[turn] % 2 == 0  # THUMB_VALUES: true, false, up, down
    return {
        "action_details_feedback_type": _enum(
            rng, ("rating", "thumbs"), kind - 1, q.odd_casing_rate
        ),
        "action_details_feedback_value": _int_array(rating, kind != 1),
        "_discarded": _lookup(BOOLEAN_TEXT, np.where(kind == 2, np.where(up, 0, 1), -1)),
    }


def _classified(
    rng: np.random.Generator,
    world: _World,
    p: _Plan,
    scope: _Scope,
    b: Behaviour,
    b3: BehaviourV03,
    q: Quirks,
) -> dict[str, Column]:
    """`ai_interaction_classified` (`_classify.event_properties`) after successful answers.

    The configured model classifier labels an answer in the background; some
    are labelled again later by a custom classifier (a re-run after a taxonomy
    change), which is then the latest label.
    """
    m = len(p.turn)
    chosen = np.flatnonzero(
        (p.status == SUCCESS) & (rng.random(m) < b3.classified_rate / _success_share(b, b3))
    )
    again = chosen[rng.random(len(chosen)) < b3.reclassified_rate]
    rows = np.r_[chosen, again]
    rerun = np.arange(len(rows)) >= len(chosen)
    k = len(rows)
    duration = np.where(
        rerun,
        _count_draw(rng, k, 15, 0.6, 2, 200),
        _count_draw(rng, k, 700, 0.5, 150, 5000),
    )
    later = _count_draw(rng, k, 6 * 3600 * SECOND_MS, 1.0, 10 * MINUTE_MS, 7 * DAY_MS)
    event_ms = p.start_ms[rows] + p.latency_ms[rows] + duration + np.where(rerun, later, 0)
    turn = p.turn[rows]
    integration = np.where(rerun, MANUAL, LANGCHAIN)
    cols = _sdk_columns(
        rng, CLASSIFIED_TABLE, world, turn, event_ms, q, integration, no_session=rerun
    )
    cols.update(_scope_columns(world, scope, turn, p.interaction_id[rows]))
    cols["trigger"] = _constant(k, TRIGGER)
    true_intent = world.turns.intent[turn]
    guess = rng.choice(len(texts.INTENTS), size=k, p=INTENT_SHARE)
    intent = np.where(~rerun & (rng.random(k) < CLASSIFIER_WRONG_RATE), guess, true_intent)
    cols["intent"] = np.array(texts.INTENTS, dtype=object)[intent]
    happy = p.happy[rows]
    outcome = np.where(
        happy,
        rng.choice(len(OUTCOMES), size=k, p=OUTCOME_SHARE_HAPPY),
        rng.choice(len(OUTCOMES), size=k, p=OUTCOME_SHARE_UNHAPPY),
    )
    cols["outcome"] = np.array(OUTCOMES, dtype=object)[outcome]
    summaries = np.array([s for group in INTENT_SUMMARIES for s in group], dtype=object)
    summary = intent * 3 + rng.integers(0, 3, k)
    with_summary = ~rerun & (rng.random(k) < b3.intent_summary_rate)
    cols["intent_summary"] = np.where(with_summary, summaries[summary], None)
    cols["classifier"] = np.array(CLASSIFIERS, dtype=object)[rerun.astype(np.int64)]
    cols["classifier_model"] = _text_where(~rerun, CLASSIFIER_MODEL)
    cols["classifier_duration_ms"] = _int_array(duration)
    # The classifier's own call, priced like any call (`_classify._model_labels`).
    prompt_tokens = 420 + _count_draw(rng, k, 600, 0.6, 80, 6000)
    reply_tokens = _count_draw(rng, k, 30, 0.3, 12, 80)
    classifier = np.full(k, 1)
    units = _cost_units(classifier, prompt_tokens, reply_tokens, 0 * classifier, 0 * classifier)
    cols["classifier_cost_usd"] = np.where(rerun, np.nan, units / 1e8)
    return _deliver(rng, cols, np.ones(k, dtype=bool), q)


def _success_share(b: Behaviour, b3: BehaviourV03) -> float:
    """Share of interactions that succeed: classifier and evaluator see only those."""
    failed = b.error_rate + b.timeout_rate
    other = (1 - failed) * (b3.incomplete_rate + b3.cancelled_rate + b3.paused_rate)
    return max(1 - failed - other, 1e-9)


def _scored(
    rng: np.random.Generator,
    world: _World,
    p: _Plan,
    scope: _Scope,
    b: Behaviour,
    b3: BehaviourV03,
    q: Quirks,
) -> dict[str, Column]:
    """`ai_interaction_scored`: the evaluator's scores of a sample of successful answers.

    An LLM judge's helpfulness (always) and groundedness, a code check's
    pass/fail label, and now and then a human review (`track_score` from a
    review tool, days later: no identity, so the SDK's `ai_system`, and no
    request scope).
    """
    m = len(p.turn)
    chosen = np.flatnonzero(
        (p.status == SUCCESS) & (rng.random(m) < b3.scored_rate / _success_share(b, b3))
    )
    c = len(chosen)
    parts = [
        (HELPFULNESS, chosen),
        (GROUNDEDNESS, chosen[rng.random(c) < b3.groundedness_rate]),
        (POLICY_CHECK, chosen[rng.random(c) < b3.policy_check_rate]),
        (HUMAN_REVIEW, chosen[rng.random(c) < b3.human_review_rate]),
    ]
    evaluation = np.concatenate([np.full(len(rows), e, dtype=np.int64) for e, rows in parts])
    rows = np.concatenate([rows for _, rows in parts])
    k = len(rows)
    human = evaluation == HUMAN_REVIEW
    happy = p.happy[rows]
    delay = np.select(
        [evaluation == POLICY_CHECK, human],
        [
            _count_draw(rng, k, 30, 0.5, 2, 500),
            _count_draw(rng, k, DAY_MS, 0.8, 2 * 3600 * SECOND_MS, 6 * DAY_MS),
        ],
        _count_draw(rng, k, 1500, 0.5, 300, 10 * SECOND_MS),
    )
    turn = p.turn[rows]
    cols = _sdk_columns(
        rng,
        SCORED_TABLE,
        world,
        turn,
        p.start_ms[rows] + p.latency_ms[rows] + delay,
        q,
        np.where(human, MANUAL, LANGCHAIN),
        no_session=human,
        system=human,
    )
    cols.update(_scope_columns(world, scope, turn, p.interaction_id[rows], blank=human))
    cols["trigger"] = _text_where(~human, TRIGGER)
    cols["evaluation_name"] = np.array(EVALUATIONS, dtype=object)[evaluation]
    judged = np.where(happy, rng.beta(7, 2, k), rng.beta(3, 3, k))
    judged = np.where(evaluation == GROUNDEDNESS, rng.beta(8, 1.5, k), judged)
    judged = np.clip(np.round(judged, 2), 0.01, 0.99)  # never whole: see below
    stars = np.clip(np.where(happy, 4, 2) + rng.integers(-1, 2, k), 1, 5).astype(np.float64)
    value = np.where(human, stars, np.where(evaluation == POLICY_CHECK, np.nan, judged))
    # The first value loaded types the column: a whole number would make it
    # BIGINT and truncate every judge score, so the first is never a review's.
    loaded = np.flatnonzero(~np.isnan(value))
    if len(loaded):
        first = loaded[np.argmin(cols["uuid_ts"][loaded])]
        value[first] = value[first] if not human[first] else np.nan
    cols["score_value"] = value
    passed = rng.random(k) < np.where(happy, 0.97, 0.85)
    label = np.where(evaluation == POLICY_CHECK, np.where(passed, 0, 1), -1)
    cols["score_label"] = _lookup(np.array(SCORE_LABELS, dtype=object), label)
    cols["evaluator"] = np.array(EVALUATORS, dtype=object)[evaluation]
    cols["sampled"] = pd.arrays.BooleanArray(np.ones(k, dtype=bool), human)
    return _deliver(rng, cols, np.ones(k, dtype=bool), q)


# ---------------------------------------------------------------------------
# JSON text as the loader stores arrays (Go's encoder: sorted keys, compact)
# ---------------------------------------------------------------------------


def _json_text(value: object) -> str:
    """One value as compact JSON."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _number(values: Ints) -> pa.Array:
    """Whole numbers as JSON text."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _quoted(pool: tuple[str, ...], code: Ints) -> pa.Array:
    """Strings of a fixed vocabulary, quoted."""
    quoted = np.array([_json_text(v) for v in pool], dtype=object)
    return pa.array(quoted[code], type=pa.string())


def _usd(units: Ints) -> pa.Array:
    """USD amounts in 1e-8 units as Go writes the float: shortest digits, an
    exponent (`1.2e-7`) only below 1e-6."""
    units = np.asarray(units, dtype=np.int64)
    whole = _number(units // 10**8)
    digits = pc.utf8_slice_codeunits(_number(units % 10**8 + 10**8), 1)
    fraction = pc.utf8_rtrim(digits, characters="0")
    text = pc.if_else(
        pc.equal(fraction, ""), whole, pc.binary_join_element_wise(whole, fraction, ".")
    )
    tiny = np.flatnonzero((units > 0) & (units < 100))
    if len(tiny) == 0:
        return text
    patched = text.to_numpy(zero_copy_only=False)
    patched[tiny] = [repr(u / 1e8).replace("e-0", "e-") for u in units[tiny].tolist()]
    return pa.array(patched, type=pa.string())


def _json_object(parts: list[tuple[str, pa.Array | Ints, Bools | None]]) -> pa.Array:
    """Objects from (key, value, present) columns; keys must come sorted.

    A value is JSON text, or whole numbers. Constant text goes in as scalars,
    so the only per-row inputs are the values themselves.
    """
    assert [key for key, _, _ in parts] == sorted(key for key, _, _ in parts)
    pieces: list[pa.Array | str] = []
    for index, (key, value, present) in enumerate(parts):
        text = value if isinstance(value, pa.Array) else _number(value)
        name = ("{" if index == 0 else "") + _json_text(key) + ":"
        end = "}" if index == len(parts) - 1 else ","
        if present is None:
            pieces += [name, text, end]
        else:
            member = pc.binary_join_element_wise(name, text, end, "")
            pieces.append(pc.if_else(present, member, "{" if index == 0 else ""))
    text = pc.binary_join_element_wise(*pieces, "")
    return pc.replace_substring(text, ",}", "}", max_replacements=1)  # an absent last member


def _json_array(entries: list[tuple[pa.Array, Bools | None]]) -> pa.Array:
    """Arrays of the present entries, in order; NULL where none is present."""
    pieces = []
    for entry, present in entries:
        item = pc.binary_join_element_wise(entry, ",", "")
        pieces.append(item if present is None else pc.if_else(present, item, ""))
    body = pc.binary_join_element_wise(*pieces, "")
    text = pc.binary_join_element_wise("[", pc.utf8_slice_codeunits(body, 0, -1), "]", "")
    none = pa.scalar(None, pa.string())
    return pc.if_else(pc.equal(body, ""), none, text)


def _in_chunks(
    rows: Ints, build: Callable[[Ints], pa.Array], size: int = 1 << 16
) -> pd.arrays.ArrowStringArray:
    """`build(rows)` a slice at a time, so Arrow's working text stays small.

    The text stays in Arrow: long JSON takes half the memory it would as
    Python strings.
    """
    chunks = [build(rows[start : start + size]) for start in range(0, len(rows), size)]
    pa.default_memory_pool().release_unused()
    return pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=pa.string()), dtype=STR)


def _text_where(mask: Bools, value: str) -> Objects:
    """`value` where `mask`, else NULL; every row shares the one string."""
    out = _constant(len(mask), None)
    out[mask] = value
    return out


def _objects(values: Column) -> Objects:
    """Text as a NumPy object array, NULL as None."""
    if isinstance(values, pd.arrays.ArrowStringArray):
        return values.to_numpy(dtype=object, na_value=None)
    return np.asarray(values, dtype=object)


# ---------------------------------------------------------------------------
# Tables as the loader lands them
# ---------------------------------------------------------------------------


def _assemble(
    v01: dict[str, dict[str, Column]], v03: Iterator[tuple[str, dict[str, Column]]]
) -> dict[str, pd.DataFrame]:
    """Frames of every table with rows: v0.3 columns, merged with v0.1's in a mixed run."""
    frames: dict[str, pd.DataFrame] = {}
    for table, cols in v03:
        if table in v01:
            frames[table] = _frame(_merge(table, v01.pop(table), cols), COLUMN_TYPES[table])
        else:
            frames[table] = _frame(cols, dict(SCHEMAS_V03[table]))
    for table in list(v01):
        frames[table] = _frame(v01.pop(table), COLUMN_TYPES[table])
    return {name: frames[name] for name in TABLE_ORDER if name in frames and len(frames[name])}


def _rows(cols: dict[str, Column]) -> int:
    return len(cols["uuid_ts"])


def _merge(table: str, old: dict[str, Column], new: dict[str, Column]) -> dict[str, Column]:
    """Rows of both generations in one table, in load order; absent columns are NULL.

    Columns are taken out of `old` and `new` as they are merged.
    """
    n_old, n_new = _rows(old), _rows(new)
    order = np.argsort(np.r_[old["uuid_ts"], new["uuid_ts"]], kind="stable")
    merged: dict[str, Column] = {}
    for name, kind in COLUMN_TYPES[table].items():
        if name not in old and name not in new:
            continue
        a = old.pop(name) if name in old else _nulls(kind, n_old)
        b = new.pop(name) if name in new else _nulls(kind, n_new)
        merged[name] = _concat(a, b, kind)[order]
    return merged


def _nulls(kind: ColumnType, n: int) -> Column:
    """A column of NULLs of a declared type."""
    if kind == "bigint":
        return _int_array(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    if kind == "boolean":
        return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    if kind == "double":
        return np.full(n, np.nan)
    return _constant(n, None)


def _concat(a: Column, b: Column, kind: ColumnType) -> Column:
    """Two columns of one declared type, end to end."""
    if kind == "bigint":
        values = np.r_[a.to_numpy(np.int64, na_value=0), b.to_numpy(np.int64, na_value=0)]
        return _int_array(values, np.r_[a.isna(), b.isna()])
    if kind == "boolean":
        values = np.r_[a.to_numpy(bool, na_value=False), b.to_numpy(bool, na_value=False)]
        return pd.arrays.BooleanArray(values, np.r_[a.isna(), b.isna()])
    if kind in ("double", "timestamptz"):
        return np.r_[a, b]
    if isinstance(a, pd.arrays.ArrowStringArray) or isinstance(b, pd.arrays.ArrowStringArray):
        text = pa.chunked_array([_arrow_text(a), _arrow_text(b)])  # ids: Arrow text stays so
        return pd.arrays.ArrowStringArray(text, dtype=STR)
    return np.concatenate([_objects(a), _objects(b)])


def _arrow_text(values: Column) -> pa.Array:
    """Text as an Arrow large string array."""
    if isinstance(values, pd.arrays.ArrowStringArray):
        return pa.array(values, type=pa.large_string())
    return pa.array(np.asarray(values, dtype=object), type=pa.large_string())


def _frame(cols: dict[str, Column], declared: dict[str, ColumnType]) -> pd.DataFrame:
    """The declared columns that some row has a value in, in declared order.

    RudderStack creates a column with the first non-empty value it loads, so
    an optional property nobody sent has no column at all. Columns are taken
    out of `cols` and not copied, so a table is never held twice.
    """
    data: dict[str, pd.Series] = {}
    for name, kind in declared.items():
        if name in cols:
            values = cols.pop(name)
            if kind == "timestamptz":
                series = _series(values, kind)
            elif kind == "double":
                series = pd.Series(np.asarray(values, dtype=np.float64), copy=False)
            elif kind == "varchar" and not isinstance(values, pd.arrays.ArrowStringArray):
                series = pd.Series(values, dtype=object, copy=False)
            else:
                series = pd.Series(values, copy=False)
            if series.notna().any():
                data[name] = series
    return pd.DataFrame(data, copy=False)
