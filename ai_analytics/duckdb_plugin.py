"""dbt-duckdb plugin: registers the package's warehouse functions on dbt's DuckDB connection.

Listed under `plugins:` in profiles.yml. It registers `ai_redact(text)`, the
same redaction the LLM classifier and `ai-analytics redact` use, which staging
calls when the `keep_redacted_text` var opts in to redacted text. Functions
registered this way exist only on dbt's own connection, so models calling them
are materialized as tables (see the staging models).
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from python_udfs.redaction import redact


class Plugin(BasePlugin):
    """Adds the package's Python functions to every connection dbt opens."""

    def configure_connection(self, conn: Any) -> None:
        conn.create_function(
            "ai_redact",
            redact,
            ["VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
