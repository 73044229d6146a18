"""`ai-analytics dashboard`: one self-contained HTML page drawn from the marts.

`render_dashboard` reads the marts that dbt built into a DuckDB file and writes
one HTML file that works offline: plotly.js is inlined once in the page (no
CDN, no other file), and each panel is a plotly figure drawn from the marts
only, so no prompt or response text can reach the page. The page holds
nothing but what the database holds: the same database gives the same bytes.

The views follow the guide's "What to include in your AI analytics dashboard":
real-time monitoring (today's active conversations, p95 latency against its
baseline, error rate by model), user behaviour (intents, intent flows, peak
hours) and cost (tokens and cost by model, cost per conversation), plus
satisfaction by intent and intent-classification coverage.

`register(commands)` adds the subcommand to the `ai-analytics` parser.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ai_analytics.database import DatabaseInUseError, connect

if TYPE_CHECKING:  # plotly is imported when a page is drawn, not when the CLI starts
    import plotly.graph_objects as go

DEFAULT_OUT = Path("target/ai_dashboard.html")
TITLE = "AI product analytics"
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Sources of a prompt's intent, in precedence order, as ai_classification_coverage counts them.
COVERAGE_SOURCES = [
    ("from_event", "event's own label"),
    ("from_interaction_classified", "interaction classification"),
    ("from_response", "response's label"),
    ("from_classifier_offline", "offline classifier"),
    ("from_classifier_llm", "LLM classifier"),
    ("not_sampled", "not sampled"),
    ("classification_errors", "classification error"),
    ("unclassified", "unclassified"),
]
PALETTE = [
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#B279A2",
    "#EECA3B",
    "#9D755D",
    "#FF9DA6",
    "#BAB0AC",
]
ACCENT = "#4C78A8"
MUTED = "#C9D3DF"
ALERT = "#E45756"
CHART_HEIGHT = 360
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
# Where the names that get a colour come from, so a model or an intent keeps its
# colour from one panel to the next.
COLOR_SOURCES = {
    "model_used": [
        ("ai_cost_daily", "coalesce(model_used, 'unknown')"),
        ("ai_model_performance_daily", "coalesce(model_used, 'unknown')"),
    ],
    "intent": [
        ("ai_intent_distribution", "coalesce(intent, '(none)')"),
        ("ai_intent_transitions", "coalesce(from_intent, '(none)')"),
        ("ai_intent_transitions", "coalesce(to_intent, '(none)')"),
        ("ai_satisfaction_by_intent", "coalesce(intent, '(none)')"),
    ],
}


@dataclass(frozen=True)
class Panel:
    """One view of the page: a figure, or a note saying why there is none."""

    key: str
    title: str
    caption: str
    figure: go.Figure | None = None
    note: str | None = None


class Marts:
    """Read-only access to the marts of one schema of a DuckDB file."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, schema: str) -> None:
        self.connection = connection
        self.schema = schema
        found = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_catalog = current_database()",
            [schema],
        ).fetchall()
        self.tables = {name for (name,) in found}
        self._colors: dict[str, dict[str, str]] = {}

    def has(self, mart: str) -> bool:
        return mart in self.tables

    def name(self, mart: str) -> str:
        """The quoted, schema-qualified name of a mart."""
        return f"{_quote(self.schema)}.{_quote(mart)}"

    def colors(self, kind: str) -> dict[str, str]:
        """One colour per model or intent for the whole page, whichever mart names it."""
        if kind not in self._colors:
            selects = [
                f"select {expression} as name from {self.name(mart)}"
                for mart, expression in COLOR_SOURCES[kind]
                if self.has(mart)
            ]
            names = (
                [row["name"] for row in self.rows(" union ".join(selects) + " order by name")]
                if selects
                else []
            )
            self._colors[kind] = _colors(names)
        return self._colors[kind]

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Run `sql` (name marts with `name`) and return its rows as dicts."""
        result = self.connection.execute(sql)
        columns = [column[0] for column in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def render_dashboard(database: Path, out: Path, schema: str = "main") -> Path:
    """Write the dashboard of the marts in `database` (schema `schema`) to `out`; return `out`."""
    database = Path(database)
    out = Path(out)
    if not database.exists():
        raise FileNotFoundError(f"no DuckDB database at {database}")
    with _connect(database) as connection:
        marts = Marts(connection, schema)
        date_range = _date_range(marts)
        panels = [build(marts) for build in PANELS]
    page = _page(panels, database.resolve(), schema, date_range)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def _connect(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection; a shared one when this process already has the file open.

    DuckDB refuses a read-only connection to a file that the same process holds
    open read-write (dbt run in-process, a notebook): the dashboard then reads
    through that open database instead. It only ever runs `select`.
    """
    try:
        return connect(database, read_only=True)
    except duckdb.ConnectionException as error:
        if "different configuration" not in str(error):
            raise
        return duckdb.connect(str(database))


# ---------------------------------------------------------------- panels


def _panel(key: str, title: str, caption: str) -> Callable[..., Panel]:
    """A Panel factory for one view: `_panel(...)(figure=...)` or `(note=...)`."""

    def make(figure: go.Figure | None = None, note: str | None = None) -> Panel:
        if figure is None and note is None:
            note = "No data in the marts yet."
        return Panel(key, title, caption, figure=figure, note=note)

    return make


def _active_conversations(marts: Marts) -> Panel:
    caption = (
        "Conversations, users and prompts on the latest UTC day in the data "
        "(ai_engagement_daily; a day still in progress counts what has arrived so far), "
        "and their change against the average of the {days} before it. "
        "Bars: conversations per day."
    )
    make = _panel(
        "active-conversations",
        "Active conversations on the latest day",
        caption.format(days="7 days"),
    )
    if not marts.has("ai_engagement_daily"):
        return _missing(make, marts, "ai_engagement_daily")
    rows = marts.rows(
        "select strftime(date_day, '%Y-%m-%d') as day, conversations, active_users, prompts "
        f"from {marts.name('ai_engagement_daily')} where date_day is not null "
        "order by date_day"
    )
    if not rows:
        return make()
    latest = rows[-1]
    latest_day = dt.date.fromisoformat(latest["day"])
    window = [
        row
        for row in rows
        if latest_day - dt.timedelta(days=7) <= dt.date.fromisoformat(row["day"]) < latest_day
    ]
    days = "1 day" if len(window) == 1 else f"{len(window)} days with data"
    if len(window) == 7:
        days = "7 days"
    make = _panel(
        "active-conversations",
        f"Active conversations on {latest['day']} (latest day in the data)",
        caption.format(days=days),
    )

    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=2,
        cols=3,
        specs=[[{"type": "domain"}] * 3, [{"type": "xy", "colspan": 3}, None, None]],
        row_heights=[0.45, 0.55],
        vertical_spacing=0.14,
    )
    for column, (field, label) in enumerate(
        [
            ("conversations", "conversations"),
            ("active_users", "active users"),
            ("prompts", "prompts"),
        ],
        start=1,
    ):
        reference = sum(row[field] for row in window) / len(window) if window else None
        indicator: dict[str, Any] = {
            "mode": "number+delta" if reference else "number",
            "value": latest[field],
            "number": {"valueformat": ",d"},
            "title": {"text": label, "font": {"size": 14}},
        }
        if reference:
            indicator["delta"] = {
                "reference": reference,
                "relative": True,
                "valueformat": "+.0%",
                "increasing": {"color": "#2E7D32"},
                "decreasing": {"color": ALERT},
            }
        figure.add_trace(go.Indicator(**indicator), row=1, col=column)
    figure.add_trace(
        go.Bar(
            x=[row["day"] for row in rows],
            y=[row["conversations"] for row in rows],
            marker_color=[ACCENT if row is latest else MUTED for row in rows],
            name="conversations",
            hovertemplate="%{x}: %{y:,} conversations<extra></extra>",
        ),
        row=2,
        col=1,
    )
    figure.update_yaxes(title_text="conversations per day", row=2, col=1)
    return make(figure=_style(figure, showlegend=False))


def _latency_baseline(marts: Marts) -> Panel:
    make = _panel(
        "latency-p95",
        "Response latency p95 per day vs its 7-day baseline",
        "p95 of the latency of each prompt's first response (fct_ai_prompt_turns), per UTC "
        "day of the response; the baseline is the p95 of all such responses in the 7 days "
        "before. Red points: days above their baseline.",
    )
    if not marts.has("fct_ai_prompt_turns"):
        return _missing(make, marts, "fct_ai_prompt_turns")
    rows = marts.rows(
        f"""
        with latencies as (
            select cast(response_at as date) as day, latency_ms
            from {marts.name("fct_ai_prompt_turns")}
            where response_at is not null and latency_ms >= 0
        ),
        days as (
            select day, quantile_cont(latency_ms, 0.95) as p95, count(*) as responses
            from latencies
            group by day
        )
        select
            strftime(days.day, '%Y-%m-%d') as day,
            days.p95,
            days.responses,
            (
                select quantile_cont(before.latency_ms, 0.95)
                from latencies as before
                where before.day >= days.day - 7 and before.day < days.day
            ) as baseline
        from days
        order by days.day
        """
    )
    if not rows:
        return make()
    import plotly.graph_objects as go

    days = [row["day"] for row in rows]
    above = [row["baseline"] is not None and row["p95"] > row["baseline"] for row in rows]
    figure = go.Figure(
        [
            go.Scatter(
                x=days,
                y=[row["baseline"] for row in rows],
                name="7-day baseline (p95)",
                mode="lines",
                line={"color": "#888888", "dash": "dash"},
                hovertemplate="%{x}: baseline %{y:,.0f} ms<extra></extra>",
            ),
            go.Scatter(
                x=days,
                y=[row["p95"] for row in rows],
                name="p95 latency",
                mode="lines+markers",
                line={"color": ACCENT},
                marker={"color": [ALERT if flag else ACCENT for flag in above], "size": 7},
                customdata=[row["responses"] for row in rows],
                hovertemplate="%{x}: p95 %{y:,.0f} ms (%{customdata:,} responses)<extra></extra>",
            ),
        ]
    )
    figure.update_yaxes(title_text="latency (ms)", rangemode="tozero")
    return make(figure=_style(figure))


def _error_rate_by_model(marts: Marts) -> Panel:
    make = _panel(
        "error-rate",
        "Error rate by model per day",
        "Share of responses with status error, per UTC day and model "
        "(ai_model_performance_daily.error_rate, 0–100).",
    )
    if not marts.has("ai_model_performance_daily"):
        return _missing(make, marts, "ai_model_performance_daily")
    rows = marts.rows(
        "select strftime(date_day, '%Y-%m-%d') as day, model_used, error_rate, errors, "
        f"responses from {marts.name('ai_model_performance_daily')} "
        "where date_day is not null order by model_used, date_day"
    )
    if not rows:
        return make()
    import plotly.graph_objects as go

    colors = marts.colors("model_used")
    figure = go.Figure()
    for model, series in _group(rows, "model_used").items():
        figure.add_trace(
            go.Scatter(
                x=[row["day"] for row in series],
                y=[row["error_rate"] for row in series],
                customdata=[[row["errors"], row["responses"]] for row in series],
                name=model,
                mode="lines+markers",
                marker={"size": 4},
                line={"color": colors[model]},
                hovertemplate=(
                    f"{_hover_text(model)} %{{x}}: %{{y:.1f}}% "
                    "(%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>"
                ),
            )
        )
    figure.update_yaxes(title_text="error rate (%)", rangemode="tozero", ticksuffix="%")
    return make(figure=_style(figure))


def _intent_distribution(marts: Marts) -> Panel:
    make = _panel(
        "intent-distribution",
        "Intent distribution",
        "Share of prompts per intent (ai_intent_distribution).",
    )
    if not marts.has("ai_intent_distribution"):
        return _missing(make, marts, "ai_intent_distribution")
    rows = marts.rows(
        "select coalesce(intent, '(none)') as intent, prompts, pct_of_prompts "
        f"from {marts.name('ai_intent_distribution')} order by prompts, intent desc"
    )
    if not rows:
        return make()
    import plotly.graph_objects as go

    colors = marts.colors("intent")
    figure = go.Figure(
        go.Bar(
            x=[row["pct_of_prompts"] for row in rows],
            y=[row["intent"] for row in rows],
            orientation="h",
            marker_color=[colors[row["intent"]] for row in rows],
            customdata=[row["prompts"] for row in rows],
            text=[f"{row['pct_of_prompts']:.1f}%" for row in rows],
            textposition="auto",
            hovertemplate="%{y}: %{x:.1f}% (%{customdata:,} prompts)<extra></extra>",
        )
    )
    figure.update_xaxes(title_text="share of prompts (%)", ticksuffix="%")
    return make(figure=_style(figure, showlegend=False))


def _intent_flows(marts: Marts) -> Panel:
    make = _panel(
        "intent-flows",
        "Conversation flows between intents",
        "Consecutive prompts of a conversation, from one intent (left) to the next (right) "
        "(ai_intent_transitions); a flow to the same intent means the user stayed on it.",
    )
    if not marts.has("ai_intent_transitions"):
        return _missing(make, marts, "ai_intent_transitions")
    rows = marts.rows(
        "select coalesce(from_intent, '(none)') as from_intent, "
        "coalesce(to_intent, '(none)') as to_intent, transitions "
        f"from {marts.name('ai_intent_transitions')} where transitions > 0 "
        "order by from_intent, to_intent"
    )
    if not rows:
        return make()
    import plotly.graph_objects as go

    intents = sorted({row["from_intent"] for row in rows} | {row["to_intent"] for row in rows})
    colors = marts.colors("intent")
    index = {intent: position for position, intent in enumerate(intents)}
    # Intents appear twice, as the "from" column and the "to" column, so a flow
    # that stays on its intent is a band across the diagram, not a loop.
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": intents + intents,
                "color": [colors[intent] for intent in intents] * 2,
                "x": [0.001] * len(intents) + [0.999] * len(intents),
                "y": _spread(len(intents)) * 2,
                "pad": 12,
                "thickness": 14,
                "hovertemplate": "%{label}: %{value:,} transitions<extra></extra>",
            },
            link={
                "source": [index[row["from_intent"]] for row in rows],
                "target": [len(intents) + index[row["to_intent"]] for row in rows],
                "value": [row["transitions"] for row in rows],
                "color": [_rgba(colors[row["from_intent"]], 0.35) for row in rows],
                "customdata": [[row["from_intent"], row["to_intent"]] for row in rows],
                "hovertemplate": (
                    "%{customdata[0]} → %{customdata[1]}: %{value:,} transitions<extra></extra>"
                ),
            },
        )
    )
    return make(figure=_style(figure, showlegend=False, height=420))


def _usage_heatmap(marts: Marts) -> Panel:
    make = _panel(
        "usage-heatmap",
        "Peak usage: prompts by weekday and hour (UTC)",
        "Prompts per weekday and hour of prompt_at, in UTC (fct_ai_prompt_turns).",
    )
    if not marts.has("fct_ai_prompt_turns"):
        return _missing(make, marts, "fct_ai_prompt_turns")
    rows = marts.rows(
        "select isodow(prompt_at) as weekday, hour(prompt_at) as hour, count(*) as prompts "
        f"from {marts.name('fct_ai_prompt_turns')} where prompt_at is not null "
        "group by all order by all"
    )
    if not rows:
        return make()
    import plotly.graph_objects as go

    grid = [[0] * 24 for _ in WEEKDAYS]
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] = row["prompts"]
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            x=[f"{hour:02d}" for hour in range(24)],
            y=WEEKDAYS,
            colorscale="Blues",
            colorbar={"title": {"text": "prompts"}},
            hovertemplate="%{y} %{x}:00 UTC: %{z:,} prompts<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    figure.update_xaxes(title_text="hour of day (UTC)", type="category")
    figure.update_yaxes(autorange="reversed", type="category")
    return make(figure=_style(figure, showlegend=False))


def _tokens_and_cost(marts: Marts) -> Panel:
    make = _panel(
        "tokens-cost",
        "Tokens and cost by model",
        "Prompt and completion tokens and total cost per model over the whole range "
        "(ai_cost_daily); 'not split' is tokens reported only as a total.",
    )
    if not marts.has("ai_cost_daily"):
        return _missing(make, marts, "ai_cost_daily")
    rows = marts.rows(
        "select model_used, "
        "cast(coalesce(sum(prompt_tokens), 0) as bigint) as prompt_tokens, "
        "cast(coalesce(sum(completion_tokens), 0) as bigint) as completion_tokens, "
        "cast(coalesce(sum(total_tokens), 0) as bigint) as total_tokens, "
        "coalesce(sum(total_cost_usd), 0) as cost_usd, "
        "cast(sum(responses) as bigint) as responses "
        f"from {marts.name('ai_cost_daily')} group by model_used "
        "order by cost_usd desc, model_used"
    )
    if not rows:
        return make()
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    models = [row["model_used"] for row in rows]
    colors = marts.colors("model_used")
    unsplit = [
        max(row["total_tokens"] - row["prompt_tokens"] - row["completion_tokens"], 0)
        for row in rows
    ]
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("tokens", "cost (USD)"),
        horizontal_spacing=0.14,
    )
    parts = [
        ("prompt tokens", [row["prompt_tokens"] for row in rows], "#52606D"),
        ("completion tokens", [row["completion_tokens"] for row in rows], "#9AA5B1"),
    ]
    if any(unsplit):
        parts.append(("not split", unsplit, "#D9E2EC"))
    for name, values, color in parts:
        figure.add_trace(
            go.Bar(
                x=models,
                y=values,
                name=name,
                marker_color=color,
                hovertemplate=f"%{{x}}: %{{y:,}} {name}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Bar(
            x=models,
            y=[row["cost_usd"] for row in rows],
            name="cost",
            marker_color=[colors[model] for model in models],
            customdata=[row["responses"] for row in rows],
            showlegend=False,
            hovertemplate="%{x}: $%{y:,.2f} (%{customdata:,} responses)<extra></extra>",
        ),
        row=1,
        col=2,
    )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(tickformat="~s", row=1, col=1)
    figure.update_yaxes(tickprefix="$", row=1, col=2)
    figure.update_xaxes(tickangle=-30)
    return make(figure=_style(figure, height=400, legend_y=-0.32, bottom=90))


def _cost_per_conversation(marts: Marts) -> Panel:
    make = _panel(
        "cost-per-conversation",
        "Cost per conversation per day",
        "Per model: cost of its responses that UTC day ÷ conversations it answered "
        "(ai_cost_daily). All models: total cost ÷ conversations with a known cost, by the "
        "UTC day a conversation started (fct_ai_conversations).",
    )
    per_model = (
        marts.rows(
            "select strftime(date_day, '%Y-%m-%d') as day, model_used, "
            "cost_per_conversation_usd as cost, conversations "
            f"from {marts.name('ai_cost_daily')} "
            "where date_day is not null and cost_per_conversation_usd is not null "
            "order by model_used, date_day"
        )
        if marts.has("ai_cost_daily")
        else []
    )
    overall = (
        marts.rows(
            "select strftime(cast(started_at as date), '%Y-%m-%d') as day, "
            "sum(total_cost_usd) / count(*) as cost, count(*) as conversations "
            f"from {marts.name('fct_ai_conversations')} "
            "where started_at is not null and total_cost_usd is not null "
            "group by all order by day"
        )
        if marts.has("fct_ai_conversations")
        else []
    )
    if not per_model and not overall:
        if not marts.has("ai_cost_daily") and not marts.has("fct_ai_conversations"):
            return _missing(make, marts, "ai_cost_daily", "fct_ai_conversations")
        return make()
    import plotly.graph_objects as go

    figure = go.Figure()
    colors = marts.colors("model_used")
    for model, series in _group(per_model, "model_used").items():
        figure.add_trace(
            go.Scatter(
                x=[row["day"] for row in series],
                y=[row["cost"] for row in series],
                customdata=[row["conversations"] for row in series],
                name=model,
                mode="lines",
                line={"color": colors[model], "width": 1.5},
                hovertemplate=(
                    f"{_hover_text(model)} %{{x}}: $%{{y:.4f}} "
                    "(%{customdata:,} conversations)<extra></extra>"
                ),
            )
        )
    if overall:
        figure.add_trace(
            go.Scatter(
                x=[row["day"] for row in overall],
                y=[row["cost"] for row in overall],
                customdata=[row["conversations"] for row in overall],
                name="all models",
                mode="lines+markers",
                line={"color": "#222222", "width": 3},
                hovertemplate=(
                    "all models %{x}: $%{y:.4f} (%{customdata:,} conversations)<extra></extra>"
                ),
            )
        )
    figure.update_yaxes(title_text="USD per conversation", tickprefix="$", rangemode="tozero")
    return make(figure=_style(figure))


def _satisfaction_by_intent(marts: Marts) -> Panel:
    make = _panel(
        "satisfaction",
        "Satisfaction by intent",
        "Average rating (1–5) and share of thumbs that are up (0–100) per intent "
        "(ai_satisfaction_by_intent); hover for the number of ratings and thumbs.",
    )
    if not marts.has("ai_satisfaction_by_intent"):
        return _missing(make, marts, "ai_satisfaction_by_intent")
    rows = marts.rows(
        "select coalesce(intent, '(none)') as intent, avg_rating, ratings, thumbs_up_rate, "
        f"thumbs from {marts.name('ai_satisfaction_by_intent')} "
        "order by feedback_events desc, intent"
    )
    if not rows:
        return make()
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    intents = [row["intent"] for row in rows]
    colors = marts.colors("intent")
    bar_colors = [colors[intent] for intent in intents]
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("average rating", "thumbs up (%)"),
        horizontal_spacing=0.1,
    )
    figure.add_trace(
        go.Bar(
            x=intents,
            y=[row["avg_rating"] for row in rows],
            customdata=[row["ratings"] for row in rows],
            marker_color=bar_colors,
            hovertemplate="%{x}: %{y:.2f} (%{customdata:,} ratings)<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=intents,
            y=[row["thumbs_up_rate"] for row in rows],
            customdata=[row["thumbs"] for row in rows],
            marker_color=bar_colors,
            hovertemplate="%{x}: %{y:.1f}% up (%{customdata:,} thumbs)<extra></extra>",
        ),
        row=1,
        col=2,
    )
    figure.update_yaxes(range=[0, 5], row=1, col=1)
    figure.update_yaxes(range=[0, 100], ticksuffix="%", row=1, col=2)
    figure.update_xaxes(tickangle=-35)
    return make(figure=_style(figure, showlegend=False))


def _classification_coverage(marts: Marts) -> Panel:
    make = _panel(
        "classification-coverage",
        "Intent classification coverage by source per day",
        "Prompts per UTC day by where their intent came from, in precedence order "
        "(ai_classification_coverage); the line is the share classified (right axis). "
        "Sources with no prompt in the range are left out.",
    )
    if not marts.has("ai_classification_coverage"):
        return _missing(make, marts, "ai_classification_coverage")
    columns = ", ".join(column for column, _ in COVERAGE_SOURCES)
    rows = marts.rows(
        f"select strftime(date_day, '%Y-%m-%d') as day, prompts, classified_pct, {columns} "
        f"from {marts.name('ai_classification_coverage')} where date_day is not null "
        "order by date_day"
    )
    if not rows:
        return make()
    import plotly.graph_objects as go

    days = [row["day"] for row in rows]
    figure = go.Figure()
    for position, (column, label) in enumerate(COVERAGE_SOURCES):
        values = [row[column] or 0 for row in rows]
        if not any(values):
            continue
        figure.add_trace(
            go.Bar(
                x=days,
                y=values,
                name=label,
                marker_color=PALETTE[position % len(PALETTE)],
                hovertemplate=f"%{{x}}: %{{y:,}} prompts, {label}<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=days,
            y=[row["classified_pct"] for row in rows],
            name="classified (%)",
            mode="lines",
            line={"color": "#222222", "width": 2},
            yaxis="y2",
            hovertemplate="%{x}: %{y:.1f}% classified<extra></extra>",
        )
    )
    figure.update_layout(
        barmode="stack",
        yaxis={"title": {"text": "prompts"}},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [0, 105],
            "tickvals": [0, 25, 50, 75, 100],
            "ticktext": ["0%", "25%", "50%", "75%", "100%"],
            "showgrid": False,
        },
    )
    return make(figure=_style(figure))


# In page order: the wide panels span both columns, the others go two by two.
PANELS: list[Callable[[Marts], Panel]] = [
    _active_conversations,
    _latency_baseline,
    _error_rate_by_model,
    _intent_distribution,
    _usage_heatmap,
    _intent_flows,
    _tokens_and_cost,
    _cost_per_conversation,
    _satisfaction_by_intent,
    _classification_coverage,
]


# ---------------------------------------------------------------- helpers


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _missing(make: Callable[..., Panel], marts: Marts, *names: str) -> Panel:
    absent = ", ".join(name for name in names if not marts.has(name))
    return make(note=f"No data: {absent} not found in schema {marts.schema}.")


def _date_range(marts: Marts) -> tuple[str, str] | None:
    """First and last UTC day of activity, from ai_engagement_daily or the prompt turns."""
    for mart, column in (
        ("ai_engagement_daily", "date_day"),
        ("fct_ai_prompt_turns", "prompt_date"),
    ):
        if not marts.has(mart):
            continue
        (row,) = marts.rows(
            f"select strftime(min({column}), '%Y-%m-%d') as first, "
            f"strftime(max({column}), '%Y-%m-%d') as last from {marts.name(mart)}"
        )
        if row["first"] is not None:
            return row["first"], row["last"]
    return None


def _group(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row[key]), []).append(row)
    return groups


def _colors(names: Any) -> dict[str, str]:
    """A stable colour per name: names sorted, then the palette in order.

    A name outside `names` gets grey rather than an error.
    """
    colors = {
        name: PALETTE[position % len(PALETTE)]
        for position, name in enumerate(sorted({str(name) for name in names}))
    }
    return _DefaultColors(colors)


class _DefaultColors(dict):
    """A colour map whose unknown names are grey."""

    def __missing__(self, key: str) -> str:
        return "#888888"


def _rgba(hex_color: str, alpha: float) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _spread(count: int) -> list[float]:
    """Evenly spaced node positions in (0, 1) for a Sankey column."""
    if count == 1:
        return [0.5]
    return [0.02 + 0.96 * position / (count - 1) for position in range(count)]


def _hover_text(text: str) -> str:
    """A name placed inside a plotly hovertemplate: braces and tags neutralised."""
    return html.escape(text).replace("{", "(").replace("}", ")")


def _style(
    figure: go.Figure,
    *,
    showlegend: bool = True,
    height: int = CHART_HEIGHT,
    legend_y: float = -0.2,
    bottom: int = 50,
) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 30, "t": 40, "b": bottom},
        showlegend=showlegend,
        legend={"orientation": "h", "y": legend_y, "x": 0, "yanchor": "top"},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
        hoverlabel={"namelength": -1},
    )
    return figure


# ---------------------------------------------------------------- the page

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f9; color: #1f2933;
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { background: #1f2933; color: #f4f6f9; padding: 18px 28px; }
header h1 { margin: 0 0 6px; font-size: 22px; font-weight: 600; }
header p { margin: 2px 0; color: #cbd2d9; }
header code { color: #f4f6f9; }
main { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px;
       padding: 18px 28px; }
.panel { background: #fff; border: 1px solid #dde3ea; border-radius: 8px; padding: 14px 16px;
         min-width: 0; }
.panel.wide { grid-column: 1 / -1; }
.panel h2 { margin: 0 0 4px; font-size: 16px; font-weight: 600; }
.panel .caption { margin: 0 0 8px; color: #52606d; font-size: 12.5px; }
.no-data { margin: 24px 0; padding: 28px; text-align: center; color: #7b8794;
           background: #f8fafc; border: 1px dashed #cbd2d9; border-radius: 6px; }
footer { padding: 4px 28px 24px; color: #7b8794; font-size: 12px; }
@media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
"""
WIDE_PANELS = {"active-conversations", "intent-flows"}


def _page(
    panels: list[Panel], database: Path, schema: str, date_range: tuple[str, str] | None
) -> str:
    import plotly
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    if date_range is None:
        span = "no activity in the marts"
    else:
        first, last = date_range
        days = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
        span = f"{first} to {last} (UTC days, {days} days)"
    sections = []
    for panel in panels:
        classes = "panel wide" if panel.key in WIDE_PANELS else "panel"
        body: str
        if panel.figure is None:
            body = f'<p class="no-data">{html.escape(panel.note or "No data.")}</p>'
        else:
            # Each chart has its own <script>, so one that fails leaves the others drawn.
            chart_id = f"chart-{panel.key}"
            figure_json = _script_safe(pio.to_json(panel.figure, validate=True))
            config_json = json.dumps(PLOTLY_CONFIG, sort_keys=True)
            body = (
                f'<div class="chart" id="{chart_id}"></div>\n'
                f"<script>(function () {{ var figure = {figure_json};\n"
                f'Plotly.newPlot("{chart_id}", figure.data, figure.layout, {config_json});'
                " })();</script>"
            )
        sections.append(
            f'<section class="{classes}" id="panel-{panel.key}" data-panel="{panel.key}">\n'
            f"<h2>{html.escape(panel.title)}</h2>\n"
            f'<p class="caption">{html.escape(panel.caption)}</p>\n{body}\n</section>'
        )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(TITLE)}</title>",
            f"<style>{STYLE}</style>",
            f"<script>{get_plotlyjs()}</script>",
            "</head>",
            "<body>",
            "<header>",
            f"<h1>{html.escape(TITLE)}</h1>",
            f'<p id="date-range">Data: {html.escape(span)}</p>',
            f'<p id="database">Database: <code>{html.escape(str(database))}</code>'
            f" (schema <code>{html.escape(schema)}</code>)</p>",
            "</header>",
            "<main>",
            *sections,
            "</main>",
            "<footer>Drawn from the dbt marts only (aggregates, no prompt or response text). "
            f"Charts: plotly {html.escape(plotly.__version__)}, inlined; works offline.</footer>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _script_safe(json_text: str) -> str:
    """JSON that can sit inside a <script> element: no `<`, so no `</script>`."""
    return (
        json_text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


# ---------------------------------------------------------------- command line


def register(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `dashboard` subcommand to `commands` (the result of `add_subparsers`)."""
    parser = commands.add_parser(
        "dashboard",
        help="write a self-contained HTML dashboard of the built marts",
        description=(
            "Reads the marts from the DuckDB file dbt built and writes one HTML file that "
            "works offline (plotly.js inlined): active conversations, p95 latency against "
            "its 7-day baseline, error rate by model, intents and their flows, peak hours, "
            "tokens and cost by model, cost per conversation, satisfaction by intent and "
            "classification coverage. Prints the path of the file."
        ),
    )
    parser.add_argument(
        "--database", type=Path, required=True, help="the DuckDB file dbt built into"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"the HTML file to write (default: {DEFAULT_OUT})",
    )
    parser.add_argument("--schema", default="main", help="schema of the marts (default: main)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Render the dashboard; print its path. Returns 1 when there is no database
    or another process (a build) holds it."""
    if not args.database.exists():
        print(f"dashboard: no database at {args.database}; run the build first")
        return 1
    try:
        print(render_dashboard(args.database, args.out, args.schema))
    except DatabaseInUseError as error:
        print(f"dashboard: {error}", file=sys.stderr)
        return 1
    return 0
