"""Raw events for the integration project: a v0.3-only warehouse with renamed tables.

`load` writes spec v0.3 demo events (RudderStack's AI SDKs) into the schema
`product_events` of the DuckDB file, each table under the name the project's
`<table>_identifier` vars give it, as a warehouse whose loader was configured
with other table names would hold them. The app has content capture on, so
prompts and feedback carry text, some of it with emails and phone numbers in
it (what the redaction must remove). One heavy user is renamed to the key the
project lists in `intent_always_classify_user_keys`.

`append` then loads a few more events, as the next sync would: new
interactions of another seed and one prompt delivered again, all loaded a day
after the latest load, so the incremental staging picks them up.

    python raw_events.py load [--database PATH]
    python raw_events.py append [--database PATH]

The database defaults to `$AI_ANALYTICS_IT_DUCKDB_PATH`, else
`integration_tests.duckdb` in the working directory.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ai_analytics import demo_texts
from ai_analytics.demo_data import generate, write_duckdb

SCHEMA = "product_events"
STAGING_SCHEMA = "product_events_incoming"
# Spec table -> the name it has in this warehouse (the project's identifier vars).
IDENTIFIERS = {
    "ai_user_prompt_created": "chat_prompt_created",
    "ai_llm_response_received": "chat_model_call",
    "ai_response_received": "chat_response_received",
    "ai_user_action": "chat_user_action",
    "ai_interaction_classified": "chat_interaction_classified",
    "ai_interaction_scored": "chat_interaction_scored",
    "rudder_discards": "loader_discards",
}
# The user key the project always classifies (intent_always_classify_user_keys).
COHORT_USER_KEY = "usr_it_cohort"
EVENTS = 8_000
SEED = 31
APPEND_SEED = 32
APPEND_INTERACTIONS = 6
# Share of prompts and feedback whose text holds an email, a phone or a card.
PII_RATE = 0.15
# The text of the appended prompt the incremental run must classify and redact.
APPENDED_PROMPT_TEXT = (
    "My parcel never arrived, please email the tracking number to late.parcel@example.com"
)


def default_database() -> Path:
    return Path(os.environ.get("AI_ANALYTICS_IT_DUCKDB_PATH", "integration_tests.duckdb"))


def _texts(rng: np.random.Generator, intents: pd.Series) -> list[str]:
    """A prompt text per row, on the row's intent when it has a known one."""
    plain = {
        k: demo_texts.fill_templates(rng, v, 3) for k, v in demo_texts.PROMPT_TEMPLATES.items()
    }
    pii = {
        k: demo_texts.fill_templates(rng, v, 3) for k, v in demo_texts.PII_PROMPT_TEMPLATES.items()
    }
    names = list(demo_texts.INTENTS)
    texts = []
    for label in intents:
        key = str(label).strip().lower() if isinstance(label, str) else ""
        if key not in plain:
            key = names[int(rng.integers(len(names)))]
        pool = pii[key] if rng.random() < PII_RATE else plain[key]
        texts.append(pool[int(rng.integers(len(pool)))])
    return texts


def _feedback_texts(rng: np.random.Generator, action_types: pd.Series) -> list[str | None]:
    plain = list(demo_texts.FEEDBACK_TEXTS)
    pii = demo_texts.fill_templates(rng, demo_texts.PII_FEEDBACK_TEMPLATES, 3)
    out: list[str | None] = []
    for action in action_types:
        if str(action).strip().lower() != "feedback_given":
            out.append(None)
            continue
        pool = pii if rng.random() < PII_RATE else plain
        out.append(pool[int(rng.integers(len(pool)))])
    return out


def _with_content(tables: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """Text columns as an app with the SDK's content capture on would send them."""
    rng = np.random.default_rng(seed)
    tables = dict(tables)
    prompts = tables["ai_user_prompt_created"].copy()
    prompts["prompt_text"] = _texts(rng, prompts["intent"])
    tables["ai_user_prompt_created"] = prompts
    actions = tables["ai_user_action"].copy()
    actions["action_details_feedback_text"] = _feedback_texts(rng, actions["action_type"])
    tables["ai_user_action"] = actions
    return tables


def _renamed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Tables under this warehouse's names; the loader's discards name them so too."""
    out = {IDENTIFIERS[name]: frame for name, frame in tables.items()}
    if "loader_discards" in out:
        discards = out["loader_discards"].copy()
        discards["table_name"] = discards["table_name"].map(lambda t: IDENTIFIERS.get(t, t))
        out["loader_discards"] = discards
    return out


def _with_cohort_user(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The user with the most prompts becomes the always-classified cohort user."""
    prompts = tables["ai_user_prompt_created"]
    heaviest = prompts["user_id"].dropna().value_counts().index[0]
    out = {}
    for name, frame in tables.items():
        if "user_id" in frame.columns:
            frame = frame.copy()
            frame["user_id"] = frame["user_id"].mask(frame["user_id"] == heaviest, COHORT_USER_KEY)
        out[name] = frame
    return out


def load(database: Path) -> dict[str, int]:
    """Replace the raw schema with the base events; rows per table."""
    tables = generate(events=EVENTS, seed=SEED, spec="v0.3")
    assert set(tables) <= set(IDENTIFIERS), sorted(tables)
    tables = _renamed(_with_cohort_user(_with_content(tables, SEED)))
    with duckdb.connect(str(database)) as con:
        con.execute(f"drop schema if exists {SCHEMA} cascade")
    write_duckdb(tables, database, schema=SCHEMA)
    return {name: len(frame) for name, frame in tables.items()}


def append(database: Path) -> dict[str, int]:
    """Load a few more events after the latest load; rows appended per table."""
    extra = _with_content(generate(events=600, seed=APPEND_SEED, spec="v0.3"), APPEND_SEED)
    prompts = extra["ai_user_prompt_created"]
    interactions = prompts["interaction_id"].dropna().drop_duplicates().head(APPEND_INTERACTIONS)
    batch = {}
    for name, frame in extra.items():
        if name == "rudder_discards" or "interaction_id" not in frame.columns:
            continue
        rows = frame[frame["interaction_id"].isin(set(interactions))].copy()
        if len(rows):
            batch[IDENTIFIERS[name]] = rows
    # All of them by the always-classified user, and one prompt with an email
    # and no intent from any event, so the incremental run has text to redact
    # and a prompt to classify.
    for frame in batch.values():
        if "user_id" in frame.columns:
            frame["user_id"] = COHORT_USER_KEY
    prompts = batch["chat_prompt_created"]
    first = prompts.index[0]
    prompts.loc[first, "prompt_text"] = APPENDED_PROMPT_TEXT
    prompts.loc[first, "intent"] = None
    unlabelled = prompts.loc[first, "interaction_id"]
    if "chat_interaction_classified" in batch:
        classified = batch["chat_interaction_classified"]
        batch["chat_interaction_classified"] = classified[
            classified["interaction_id"] != unlabelled
        ]
    responses = batch["chat_response_received"]
    if "intent" in responses.columns:
        responses.loc[responses["interaction_id"] == unlabelled, "intent"] = None
    appended: dict[str, int] = {}
    with duckdb.connect(str(database)) as con:
        latest = con.execute(f"select max(uuid_ts) from {SCHEMA}.chat_prompt_created").fetchone()[0]
        loaded = pd.Timestamp(latest).tz_convert("UTC") + pd.Timedelta(days=1)
        for frame in batch.values():
            frame["received_at"] = loaded
            frame["uuid_ts"] = loaded + pd.Timedelta(seconds=1)
        # A prompt of the first load delivered again: still one prompt, one turn.
        again = con.execute(f"select * from {SCHEMA}.chat_prompt_created order by id limit 1").df()
        again["received_at"] = loaded
        again["uuid_ts"] = loaded + pd.Timedelta(seconds=1)
        batch["chat_prompt_created"] = pd.concat(
            [batch["chat_prompt_created"], again], ignore_index=True
        )
    # Typed like the base tables (written to a scratch schema first), then
    # inserted by column name; a column the base table lacks is left out.
    write_duckdb(batch, database, schema=STAGING_SCHEMA)
    with duckdb.connect(str(database)) as con:
        for name, frame in batch.items():
            target = {
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [SCHEMA, name],
                ).fetchall()
            }
            common = ", ".join(f'"{c}"' for c in frame.columns if c in target)
            con.execute(
                f"insert into {SCHEMA}.{name} ({common}) "
                f"select {common} from {STAGING_SCHEMA}.{name}"
            )
            appended[name] = len(frame)
        con.execute(f"drop schema {STAGING_SCHEMA} cascade")
    return appended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["load", "append"])
    parser.add_argument("--database", type=Path, default=None)
    args = parser.parse_args()
    database = args.database or default_database()
    counts = load(database) if args.step == "load" else append(database)
    for name, rows in counts.items():
        print(f"{args.step} {SCHEMA}.{name}: {rows} rows")


if __name__ == "__main__":
    main()
