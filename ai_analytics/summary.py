"""A short printed summary of the marts after a build: what `make demo` ends with."""

from __future__ import annotations

from pathlib import Path

from ai_analytics.database import connect

MARTS = [
    "fct_ai_prompt_turns",
    "fct_ai_conversations",
    "fct_ai_sessions",
    "ai_engagement_by_user",
    "ai_engagement_daily",
    "ai_intent_distribution",
    "ai_intent_transitions",
    "ai_latency_by_intent",
    "ai_model_performance_daily",
    "ai_cost_daily",
    "ai_satisfaction_by_intent",
    "ai_retention_weekly",
    "ai_outcomes_daily",
    "ai_model_calls_daily",
    "ai_evaluation_scores",
    "ai_classification_coverage",
]


def summarize(database: Path, schema: str = "main") -> str:
    """Row counts of every mart and a few headline numbers, as text."""
    lines = [f"DuckDB database: {database.resolve()}", f"Marts (schema `{schema}`):"]
    with connect(database, read_only=True) as connection:

        def scalar(sql: str) -> object:
            return connection.sql(sql).fetchall()[0][0]

        for mart in MARTS:
            rows = scalar(f'select count(*) from "{schema}"."{mart}"')
            lines.append(f"  {mart:<28} {rows:>10,} rows")
        users, prompts, conversations = connection.sql(
            f"select count(distinct user_key), count(*), count(distinct conversation_id) "
            f'from "{schema}".fct_ai_prompt_turns'
        ).fetchall()[0]
        cost = scalar(f'select sum(total_cost_usd) from "{schema}".ai_cost_daily') or 0.0
        lines.append("Headlines:")
        lines.append(
            f"  {users:,} users sent {prompts:,} prompts in {conversations:,} conversations;"
            f" total cost ${cost:,.2f}"
        )
        top = connection.sql(
            f'select intent, round(pct_of_prompts, 1) from "{schema}".ai_intent_distribution '
            "order by prompts desc limit 3"
        ).fetchall()
        lines.append("  top intents: " + ", ".join(f"{i} {p}%" for i, p in top))
        for intent, p95 in connection.sql(
            f'select intent, p95_latency_ms from "{schema}".ai_latency_by_intent '
            "order by p95_latency_ms desc limit 1"
        ).fetchall():
            lines.append(f"  slowest intent at p95: {intent} ({p95:,.0f} ms)")
    lines.append(
        'Query them: .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{database.resolve()}').sql('from ai_cost_daily'))\""
    )
    return "\n".join(lines)
