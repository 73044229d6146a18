"""dbt-duckdb plugin: registers the package's warehouse functions on dbt's DuckDB connection.

Listed under `plugins:` in profiles.yml. It registers `ai_redact(text)`, the
same redaction the LLM classifier and `ai-analytics redact` use, which staging
calls when the `keep_redacted_text` var opts in to redacted text. Functions
registered this way exist only on dbt's own connection, so models calling them
are materialized as tables (see the staging models).

It also makes a second build on a file another process is using stop with a
plain message instead of a traceback (see `ai_analytics.database`).
"""

from __future__ import annotations

import os
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from ai_analytics.database import DatabaseInUseError, connect
from python_udfs.redaction import redact


class Plugin(BasePlugin):
    """Adds the package's Python functions to every connection dbt opens."""

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        """Runs just before dbt-duckdb opens the database file.

        When another process holds the file (a concurrent `dbt build`), DuckDB
        refuses the connection, and dbt-duckdb prints its error under a long
        traceback because its clean-up tries to connect a second time. Opening
        the file here first, and closing it at once, turns that case into a
        dbt error with a message saying what to do; dbt then stops before it
        has changed anything. Only an existing local file is checked
        (in-memory, MotherDuck and remote databases have no file lock).
        """
        path = getattr(creds, "path", None)
        if not path or getattr(creds, "remote", None) or not os.path.isfile(path):
            return
        try:
            connect(path, config=dict(config)).close()
        except DatabaseInUseError as error:
            raise DbtRuntimeError(str(error)) from None

    def configure_connection(self, conn: Any) -> None:
        conn.create_function(
            "ai_redact",
            redact,
            ["VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
