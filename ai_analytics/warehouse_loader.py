"""An emulation of RudderStack's warehouse loader, writing `track` messages into DuckDB.

The package's models must work on what RudderStack really lands, so tests load recorded
SDK messages (`tests/fixtures/sdk_v0_3/messages.jsonl`) through the same rules the
warehouse destination applies (docs of record: RudderStack's "Warehouse schema" page,
rudder-server's processor and warehouse loader, rudder-transformer's warehouse rules):

- each `track` message becomes a row of `tracks` (standard and `context_*` columns only)
  and a row of a table named after the event (`Support Ticket Created` ->
  `support_ticket_created`), with its properties as columns;
- nested objects are flattened with `_` and every key is snake_cased
  (`tokenCount.promptTokens` -> `token_count_prompt_tokens`,
  `context.wrapperLibrary.specVersion` -> `context_wrapper_library_spec_version`);
- arrays are stored as JSON text; `null`, `""` and empty arrays are not written; a
  property named like a standard column (`id`, `timestamp`, ...) is dropped;
- a column is created by the first non-empty value and typed by it (whole number -> int,
  even `1.0`; other number -> float; bool -> boolean; ISO-8601 string -> datetime;
  anything else -> string); a later value of another type is converted when the
  warehouse can (string column <- anything as text, float <- int, int <- float
  truncated) and otherwise stored as NULL and written to `rudder_discards`;
- `timestamp` is kept from the payload when present, else
  `received_at - (sent_at - original_timestamp)`; a missing `originalTimestamp` or
  `sentAt` is the `receivedAt` (as rudder-server does); the four times are cut to
  milliseconds like the processor's RFC 3339 output;
- loads append (delivery is at least once: a message id can land twice), and a second
  load into the same database keeps the column types the first one created.

Not emulated: message types other than `track` (skipped), the `users` / `identifies`
tables, `context_source_*` / `context_destination_*` (the loader gets them from its
configuration, not from the message), Snowflake's UPPERCASE names and the 63-character
limit of Postgres. Deterministic: `uuid_ts` is the `loaded_at` argument, else each row's
`received_at` plus one second.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

__all__ = ["column_name", "load_jsonl", "load_messages", "table_name"]

Kind = Literal["int", "float", "boolean", "datetime", "string"]

TRACKS_TABLE = "tracks"
DISCARDS_TABLE = "rudder_discards"
MAX_NAME_LENGTH = 127

# Columns the loader fills itself, in the order they are created; a property with one of
# these names is dropped.
STANDARD_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("id", "string"),
    ("anonymous_id", "string"),
    ("user_id", "string"),
    ("event", "string"),
    ("event_text", "string"),
    ("timestamp", "datetime"),
    ("original_timestamp", "datetime"),
    ("sent_at", "datetime"),
    ("received_at", "datetime"),
    ("uuid_ts", "datetime"),
    ("channel", "string"),
)
RESERVED_COLUMNS = frozenset(name for name, _ in STANDARD_COLUMNS)
DISCARD_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("table_name", "string"),
    ("row_id", "string"),
    ("column_name", "string"),
    ("column_value", "string"),
    ("received_at", "datetime"),
    ("uuid_ts", "datetime"),
    ("reason", "string"),
)
# Tables the warehouse keeps for itself: an event with one of these names gets a `_` prefix.
RESERVED_TABLES = frozenset(
    {
        "tracks",
        "identifies",
        "users",
        "pages",
        "screens",
        "groups",
        "aliases",
        "accounts",
        "rudder_discards",
        "rudder_identity_merge_rules",
        "rudder_identity_mappings",
    }
)
# SQL keywords that cannot name a table unquoted everywhere: prefixed with `_` as well.
RESERVED_WORDS = frozenset(
    {
        "all",
        "and",
        "as",
        "between",
        "by",
        "case",
        "check",
        "column",
        "create",
        "default",
        "delete",
        "distinct",
        "drop",
        "else",
        "end",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "insert",
        "into",
        "join",
        "limit",
        "not",
        "null",
        "on",
        "or",
        "order",
        "select",
        "table",
        "then",
        "to",
        "union",
        "update",
        "user",
        "where",
        "with",
    }
)

DUCKDB_TYPES: dict[Kind, str] = {
    "int": "BIGINT",
    "float": "DOUBLE",
    "boolean": "BOOLEAN",
    "datetime": "TIMESTAMP WITH TIME ZONE",
    "string": "VARCHAR",
}
_KIND_OF_DUCKDB_TYPE = {
    "BIGINT": "int",
    "INTEGER": "int",
    "HUGEINT": "int",
    "DOUBLE": "float",
    "FLOAT": "float",
    "BOOLEAN": "boolean",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIMESTAMP": "datetime",
    "VARCHAR": "string",
}

# ISO-8601 dates and times as the warehouse transformer recognises them.
_ISO_DATETIME = re.compile(
    r"^[+-]?\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d([.,]\d+)?)?"
    r"([zZ]|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)?)?$"
)


# --------------------------------------------------------------------------- names


def _snake_case(name: str) -> str:
    """`tokenCount` -> `token_count`, `HTTPStatus` -> `http_status`, `a.b-c` -> `a_b_c`.

    Words start at a capital after a lowercase letter, at the last capital of a run followed
    by lowercase, and at a capitalised word after a digit (`v2Model` -> `v2_model`, `2FA`
    stays one word).
    """
    name = re.sub(r"[^A-Za-z0-9]+", "_", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([0-9])([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"_+", "_", name).strip("_").lower()


def column_name(key: str) -> str:
    """The column a (flattened) property key lands in: snake_case, no leading digit."""
    name = _snake_case(key)
    if name and name[0].isdigit():
        name = f"_{name}"
    return name[:MAX_NAME_LENGTH]


def table_name(event: str) -> str:
    """The table an event lands in (`Order Completed` -> `order_completed`)."""
    name = _snake_case(event)
    if not name:
        return ""
    if name[0].isdigit() or name in RESERVED_TABLES or name in RESERVED_WORDS:
        name = f"_{name}"
    return name[:MAX_NAME_LENGTH]


# --------------------------------------------------------------------------- values


def _is_empty(value: Any) -> bool:
    if value is None or value == "" or (isinstance(value, list | tuple) and not value):
        return True
    return isinstance(value, float) and not math.isfinite(value)


def _flatten(obj: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    """Nested objects to `a_b_c` keys; arrays to JSON text; empty values left out."""
    for key, value in obj.items():
        name = column_name(f"{prefix}_{key}" if prefix else str(key))
        if not name:
            continue
        if isinstance(value, Mapping):
            _flatten(value, name, out)
        elif _is_empty(value):
            continue
        elif isinstance(value, list | tuple):
            out[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            out[name] = value


def _parse_datetime(value: str) -> datetime | None:
    """An ISO-8601 string as a UTC datetime (no offset: UTC); `None` for anything else."""
    if not _ISO_DATETIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(",", "."))
    except ValueError:
        try:
            parsed = pd.Timestamp(value).to_pydatetime()
        except (ValueError, OverflowError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _kind(value: Any) -> Kind:
    if isinstance(value, datetime):  # the loader's own timestamps
        return "datetime"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "int" if value.is_integer() else "float"
    if isinstance(value, str) and _parse_datetime(value):
        return "datetime"
    return "string"


def _text(value: Any) -> str:
    """A value as the warehouse writes it into a text column (and into `rudder_discards`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)


class _Discard(Exception):
    """A value the column's type cannot hold."""


def _convert(value: Any, kind: Kind, column: Kind) -> Any:
    """`value` (of `kind`) for a column of type `column`, or `_Discard`."""
    if column == "string":
        return _text(value)
    if kind == column:
        if kind == "datetime":
            return value if isinstance(value, datetime) else _parse_datetime(value)
        return int(value) if kind == "int" else value
    if column == "float" and kind == "int":
        return float(value)
    if column == "int" and kind == "float":
        return math.trunc(value)
    raise _Discard(f"incompatible schema conversion from {column} to {kind}")


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed: datetime | None = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, str) and value:
        parsed = _parse_datetime(value)
    else:
        return None
    return None if parsed is None else parsed.astimezone(UTC)


def _millis(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


# --------------------------------------------------------------------------- tables


@dataclass
class _Table:
    name: str
    columns: dict[str, Kind] = field(default_factory=dict)  # in creation order
    existing: set[str] = field(default_factory=set)  # columns already in the database
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, values: dict[str, Any], discards: _Table, meta: dict[str, Any]) -> None:
        row: dict[str, Any] = {}
        for name, value in values.items():
            kind = _kind(value)
            column = self.columns.setdefault(name, kind)
            try:
                row[name] = _convert(value, kind, column)
            except _Discard as why:
                row[name] = None
                discards.rows.append(
                    {
                        "table_name": self.name,
                        "row_id": meta["id"],
                        "column_name": name,
                        "column_value": _text(value),
                        "received_at": meta["received_at"],
                        "uuid_ts": meta["uuid_ts"],
                        "reason": str(why),
                    }
                )
        self.rows.append(row)


def _standard_values(
    message: Mapping[str, Any], event: str, loaded_at: datetime | None
) -> dict[str, Any]:
    received = _timestamp(message.get("receivedAt"))
    if received is None:
        raise ValueError(f"message {message.get('messageId')!r} has no valid receivedAt")
    sent = _timestamp(message.get("sentAt")) or received
    original = _timestamp(message.get("originalTimestamp")) or received
    timestamp = _timestamp(message.get("timestamp")) or received - (sent - original)
    return {
        "id": message.get("messageId"),
        "anonymous_id": message.get("anonymousId"),
        "user_id": message.get("userId"),
        "event": table_name(event),
        "event_text": event,
        "timestamp": _millis(timestamp),
        "original_timestamp": _millis(original),
        "sent_at": _millis(sent),
        "received_at": _millis(received),
        "uuid_ts": loaded_at or _millis(received) + timedelta(seconds=1),
        "channel": message.get("channel"),
    }


def _rows(
    message: Mapping[str, Any], event: str, loaded_at: datetime | None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(standard, context, property) columns of one track message, empty values left out."""
    standard = _standard_values(message, event, loaded_at)
    standard = {k: v for k, v in standard.items() if not _is_empty(v)}
    context: dict[str, Any] = {}
    _flatten(message.get("context") or {}, "context", context)
    if message.get("request_ip") and "context_request_ip" not in context:
        context["context_request_ip"] = message["request_ip"]
    properties: dict[str, Any] = {}
    _flatten(message.get("properties") or {}, "", properties)
    properties = {
        k: v for k, v in properties.items() if k not in RESERVED_COLUMNS and k not in context
    }
    return standard, context, properties


def _existing_columns(
    con: duckdb.DuckDBPyConnection, schema: str, table: str
) -> dict[str, Kind] | None:
    found = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    if not found:
        return None
    return {name: _KIND_OF_DUCKDB_TYPE.get(str(kind).upper(), "string") for name, kind in found}


def _series(values: list[Any], kind: Kind) -> pd.Series:
    if kind == "int":
        return pd.Series(pd.array(values, dtype="Int64"))
    if kind == "float":
        return pd.Series(pd.array(values, dtype="Float64"))
    if kind == "boolean":
        return pd.Series(pd.array(values, dtype="boolean"))
    if kind == "datetime":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=True))
    return pd.Series(values, dtype=object)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write(con: duckdb.DuckDBPyConnection, schema: str, table: _Table) -> None:
    target = f"{_quote(schema)}.{_quote(table.name)}"
    new = [name for name in table.columns if name not in table.existing]
    if not table.existing:
        ddl = ", ".join(f"{_quote(c)} {DUCKDB_TYPES[table.columns[c]]}" for c in table.columns)
        con.execute(f"create table {target} ({ddl})")
    else:
        for name in new:
            con.execute(
                f"alter table {target} add column {_quote(name)} "
                f"{DUCKDB_TYPES[table.columns[name]]}"
            )
    frame = pd.DataFrame(
        {
            name: _series([row.get(name) for row in table.rows], kind)
            for name, kind in table.columns.items()
        }
    )
    selected = ", ".join(
        f"cast({_quote(c)} as {DUCKDB_TYPES[k]}) as {_quote(c)}" for c, k in table.columns.items()
    )
    con.register("_warehouse_loader_rows", frame)
    try:
        con.execute(f"insert into {target} by name select {selected} from _warehouse_loader_rows")
    finally:
        con.unregister("_warehouse_loader_rows")


def _ordered(columns: dict[str, Kind], existing: set[str]) -> dict[str, Kind]:
    """New columns in creation order: standard ones first, then context, then properties."""
    rank = {name: i for i, (name, _) in enumerate(STANDARD_COLUMNS)}

    def key(item: tuple[int, str]) -> tuple[int, int, int]:
        position, name = item
        if name in rank:
            return (0, rank[name], position)
        return (1 if name.startswith("context_") else 2, 0, position)

    old = [name for name in columns if name in existing]
    new = [name for _, name in sorted(enumerate(n for n in columns if n not in existing), key=key)]
    return {name: columns[name] for name in old + new}


def load_messages(
    messages: Iterable[Mapping[str, Any]],
    database_path: str | Path,
    schema: str = "rudderstack",
    *,
    loaded_at: datetime | str | None = None,
) -> dict[str, int]:
    """Load RudderStack messages into `schema` of a DuckDB file, as the warehouse loader would.

    Args:
        messages: Messages as the data plane received them, each with `receivedAt` (and
            ideally `sentAt`); only `track` messages are loaded.
        database_path: The DuckDB file (created when missing).
        schema: The schema to load into (created when missing).
        loaded_at: The load time written to `uuid_ts`; default: each row's `received_at`
            plus one second.

    Returns:
        Rows written per table (event tables, `tracks`, and `rudder_discards` when a value
        was discarded).
    """
    load_time = _timestamp(loaded_at) if loaded_at is not None else None
    if loaded_at is not None and load_time is None:
        raise ValueError(f"loaded_at is not a timestamp: {loaded_at!r}")
    con = duckdb.connect(str(database_path))
    try:
        con.execute(f"create schema if not exists {_quote(schema)}")
        tables: dict[str, _Table] = {}

        def table(name: str) -> _Table:
            if name not in tables:
                existing = _existing_columns(con, schema, name) or {}
                tables[name] = _Table(name, dict(existing), set(existing))
            return tables[name]

        discards = table(DISCARDS_TABLE)
        if not discards.existing:
            discards.columns = dict(DISCARD_COLUMNS)
        for message in messages:
            if message.get("type") != "track":
                continue
            event = message.get("event")
            name = table_name(event) if isinstance(event, str) else ""
            if not name:
                continue
            standard, context, properties = _rows(message, event, load_time)
            meta = {
                "id": standard.get("id"),
                "received_at": standard["received_at"],
                "uuid_ts": standard["uuid_ts"],
            }
            # Standard columns are typed by the loader's rules, never by their values.
            for target in (table(TRACKS_TABLE), table(name)):
                for column, kind in STANDARD_COLUMNS:
                    if column in standard:
                        target.columns.setdefault(column, kind)
            table(TRACKS_TABLE).add({**standard, **context}, discards, meta)
            table(name).add({**standard, **context, **properties}, discards, meta)
        counts: dict[str, int] = {}
        for item in tables.values():
            if not item.rows:
                continue
            if item.name != DISCARDS_TABLE:  # its columns are fixed
                item.columns = _ordered(item.columns, item.existing)
            _write(con, schema, item)
            counts[item.name] = len(item.rows)
        return counts
    finally:
        con.close()


def load_jsonl(
    path: str | Path,
    database_path: str | Path,
    schema: str = "rudderstack",
    *,
    loaded_at: datetime | str | None = None,
) -> dict[str, int]:
    """`load_messages` for a JSONL file of messages (one JSON object a line)."""
    with Path(path).open(encoding="utf-8") as handle:
        messages = [json.loads(line) for line in handle if line.strip()]
    return load_messages(messages, database_path, schema, loaded_at=loaded_at)
