"""Batch intent classification of the prompts the events leave without a valid intent.

Reads `int_prompts_to_classify` (sampled prompts only), takes each prompt's text
from the source table in memory (the one exception to "only staging reads
sources"), and stores only ids, the label, its confidence and where it came
from: never the text. Incremental: a prompt is classified once per classifier
version (classifier, taxonomy, examples); a taxonomy change reclassifies, and
prompts whose classification failed are retried on the next run.

The classifiers are plain functions in `python_udfs/`:
- `offline` (default): TF-IDF + logistic regression trained on the
  `ai_intent_taxonomy` and `ai_intent_examples` seeds, no network;
- `llm`: any OpenAI-compatible chat-completions API; prompts are redacted
  before they leave, batched and validated against the taxonomy.

On DuckDB it runs in dbt's process. On Snowflake it runs in Snowpark with
scikit-learn from the Anaconda channel; `python_udfs` must be importable there
(see the README: stage the package and add it to this model's `imports`).
"""

import os
import time

OUTPUT_COLUMNS = [
    "prompt_event_id",
    "intent",
    "confidence",
    "classifier",
    "classifier_version",
    "classification_status",
    "is_invalid_label",
    "llm_tokens",
    "classified_at",
]


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="prompt_event_id",
        incremental_strategy="delete+insert",
        packages=["scikit-learn", "pandas", "numpy", "httpx", "tenacity"],
    )
    import pandas as pd

    settings = _settings(dbt)
    taxonomy = _rows(dbt.ref("ai_intent_taxonomy"), ["intent_name", "description"])
    taxonomy = [
        (str(name).strip().lower(), str(description or "")) for name, description in taxonomy
    ]
    classify, version = _classifier(dbt, settings, taxonomy)

    to_classify = dbt.ref("int_prompts_to_classify")
    prompts = _source_prompts(dbt, session)
    done = _already_classified(dbt, session, version) if dbt.is_incremental else None
    batches = _text_batches(session, to_classify, prompts, done, settings["batch_rows"])

    started = time.perf_counter()
    outputs = []
    processed = 0
    total = None
    for ids, texts, total in batches:
        outputs.append(_classify_texts(classify, ids, texts, version, settings, pd))
        processed += len(ids)
        rate = processed / max(time.perf_counter() - started, 1e-9)
        print(
            f"ai_product_analytics: classified {processed:,} of {total:,} prompts "
            f"({rate:,.0f} prompts/s, {settings['classifier']})",
            flush=True,
        )
    if total is None:
        print("ai_product_analytics: no prompt to classify", flush=True)
    frame = pd.concat(outputs, ignore_index=True) if outputs else _empty_frame(pd)
    frame["classified_at"] = pd.Timestamp.now(tz="UTC").tz_localize(None)
    return _typed(frame[OUTPUT_COLUMNS], pd)


def _settings(dbt):
    """The classification vars, passed in as model config (see the YAML).

    dbt hands a Python model only the config keys it finds as plain
    `name = dbt.config.get("...")` statements, so each key is read that way.
    """
    classifier = dbt.config.get("intent_classifier")
    threshold = dbt.config.get("intent_classifier_threshold")
    batch_rows = dbt.config.get("intent_classification_batch_rows")
    base_url = dbt.config.get("llm_base_url")
    llm_model = dbt.config.get("llm_model")
    key_env_var = dbt.config.get("llm_api_key_env_var")
    llm_batch_size = dbt.config.get("llm_batch_size")
    llm_max_concurrency = dbt.config.get("llm_max_concurrency")
    llm_timeout_s = dbt.config.get("llm_timeout_s")
    budget_prompts = dbt.config.get("llm_budget_prompts")
    budget_tokens = dbt.config.get("llm_budget_tokens")
    budget_usd = dbt.config.get("llm_budget_usd")

    classifier = str(classifier or "offline").strip().lower()
    if classifier not in ("offline", "llm"):
        raise ValueError(f"intent_classifier must be 'offline' or 'llm', got {classifier!r}")
    return {
        "classifier": classifier,
        "threshold": _optional_number(threshold),
        "batch_rows": int(batch_rows or 50000),
        "llm_base_url": base_url,
        "llm_model": llm_model,
        "llm_api_key_env_var": key_env_var or "OPENROUTER_API_KEY",
        "llm_batch_size": int(llm_batch_size or 25),
        "llm_max_concurrency": int(llm_max_concurrency or 4),
        "llm_timeout_s": float(llm_timeout_s or 60),
        "llm_budget_prompts": _optional_number(budget_prompts),
        "llm_budget_tokens": _optional_number(budget_tokens),
        "llm_budget_usd": _optional_number(budget_usd),
    }


def _source_prompts(dbt, session):
    """The raw prompt table: the source, or its Parquet files when the
    `rudderstack_parquet_path` var points at them (DuckDB only)."""
    parquet_path = dbt.config.get("rudderstack_parquet_path")
    identifier = dbt.config.get("prompts_identifier")
    if not parquet_path:
        return dbt.source("rudderstack", "ai_user_prompt_created")
    import glob

    root = str(parquet_path).rstrip("/")
    name = identifier or "ai_user_prompt_created"
    files = sorted(glob.glob(f"{root}/{name}.parquet") + glob.glob(f"{root}/{name}/*.parquet"))
    if not files:
        raise FileNotFoundError(f"no Parquet files for {name} under {root}")
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return session.sql(f"select * from read_parquet([{listed}], union_by_name = true)")


def _optional_number(value):
    return None if value in (None, "", "None") else float(value)


def _is_duckdb(session):
    return "duckdb" in type(session).__module__.lower()


def _rows(relation, columns):
    """All rows of a small relation (a seed) as tuples."""
    frame = relation.df() if hasattr(relation, "df") else relation.to_pandas()
    frame.columns = [str(c).lower() for c in frame.columns]
    return list(frame[columns].itertuples(index=False, name=None))


def _classifier(dbt, settings, taxonomy):
    """A function (ids, texts) -> DataFrame of results, and the version it labels with."""
    import pandas as pd

    from python_udfs.intent_classifier import model_version, taxonomy_hash, train

    if settings["classifier"] == "offline":
        examples = _rows(dbt.ref("ai_intent_examples"), ["text", "intent"])
        examples = [(str(text), str(intent).strip().lower()) for text, intent in examples]
        version = model_version(examples, taxonomy, threshold=settings["threshold"])
        trained = []

        def classify_offline(ids, texts):
            # Trained on the first batch only: a run with nothing to classify trains nothing.
            if not trained:
                trained.append(train(examples, taxonomy, threshold=settings["threshold"]))
            model = trained[0]
            predictions = model.predict(texts)
            return pd.DataFrame(
                {
                    "prompt_event_id": ids,
                    "intent": [p.label for p in predictions],
                    "confidence": [p.confidence for p in predictions],
                    "classifier": "offline",
                    "classifier_version": model.version,
                    "classification_status": "classified",
                    "is_invalid_label": False,
                    "llm_tokens": None,
                }
            )

        return classify_offline, version

    from python_udfs.llm_classifier import LLMConfig, classify_with_llm

    config = LLMConfig(
        base_url=settings["llm_base_url"],
        model=settings["llm_model"],
        api_key=os.environ.get(settings["llm_api_key_env_var"], ""),
        batch_size=settings["llm_batch_size"],
        max_concurrency=settings["llm_max_concurrency"],
        timeout_s=settings["llm_timeout_s"],
        budget_prompts=settings["llm_budget_prompts"],
        budget_tokens=settings["llm_budget_tokens"],
        budget_usd=settings["llm_budget_usd"],
    )
    version = f"llm-{settings['llm_model']}-{taxonomy_hash([], taxonomy)}"

    def classify_llm(ids, texts):
        results, summary = classify_with_llm(list(zip(ids, texts, strict=True)), taxonomy, config)
        print(
            f"ai_product_analytics: LLM requests {summary.requests}, tokens "
            f"{summary.prompt_tokens + summary.completion_tokens:,}, classified "
            f"{summary.classified:,}, errors {summary.errors:,}, deferred {summary.deferred:,}",
            flush=True,
        )
        return pd.DataFrame(
            {
                "prompt_event_id": [r.prompt_id for r in results],
                "intent": [r.label for r in results],
                "confidence": None,
                "classifier": "llm",
                "classifier_version": version,
                "classification_status": [r.status for r in results],
                "is_invalid_label": [bool(r.invalid_label) for r in results],
                "llm_tokens": [r.tokens for r in results],
            }
        )

    return classify_llm, version


def _classify_texts(classify, ids, texts, version, settings, pd):
    """Classify the prompts that have text; a prompt without text (an SDK with
    content capture off sends none) is recorded as `no_text`, not guessed."""
    has_text = [text is not None and str(text).strip() != "" for text in texts]
    parts = []
    if any(has_text):
        parts.append(
            classify(
                [i for i, ok in zip(ids, has_text, strict=True) if ok],
                [t for t, ok in zip(texts, has_text, strict=True) if ok],
            )
        )
    missing = [i for i, ok in zip(ids, has_text, strict=True) if not ok]
    if missing:
        parts.append(
            pd.DataFrame(
                {
                    "prompt_event_id": missing,
                    "intent": None,
                    "confidence": None,
                    "classifier": settings["classifier"],
                    "classifier_version": version,
                    "classification_status": "no_text",
                    "is_invalid_label": False,
                    "llm_tokens": None,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _already_classified(dbt, session, version):
    """Ids this classifier version already handled (errors are retried)."""
    this = str(dbt.this)
    sql = (
        f"select prompt_event_id from {this} "
        f"where classification_status in ('classified', 'no_text') "
        f"and classifier_version = '{version}'"
    )
    return session.sql(sql)


def _text_batches(session, to_classify, prompts, done, batch_rows):
    """Yield (ids, texts, total) for the sampled prompts left to classify, batch by batch.

    The text is read from the source, deduplicated by event id (the latest
    delivery wins, as in staging) and never written anywhere.
    """
    if _is_duckdb(session):
        yield from _duckdb_batches(session, to_classify, prompts, done, batch_rows)
    else:
        yield from _snowpark_batches(session, to_classify, prompts, done, batch_rows)


def _duckdb_batches(session, to_classify, prompts, done, batch_rows):
    """DuckDB: the relations are registered on this connection only (never as
    views in the database file, where the source's text would stay readable)."""
    columns = {c.lower(): c for c in prompts.columns}
    text_column = columns.get("prompt_text")
    registered = {"ai_pa_to_classify": to_classify, "ai_pa_source_prompts": prompts}
    excluded = ""
    if done is not None:
        registered["ai_pa_done"] = done
        excluded = "and t.prompt_event_id not in (select prompt_event_id from ai_pa_done)"
    text = f'cast(p."{text_column}" as varchar)' if text_column else "cast(null as varchar)"
    # Only the source rows of the prompts left to classify are read and ranked:
    # on a run with nothing to classify, no text is touched.
    source_id = f'trim(cast(p."{columns["id"]}" as varchar))'
    query = f"""
        with todo as (
            select t.prompt_event_id
            from ai_pa_to_classify as t
            where t.is_sampled {excluded}
        ),

        texts as (
            select
                {source_id} as prompt_event_id,
                {text} as prompt_text
            from ai_pa_source_prompts as p
            where {source_id} in (select prompt_event_id from todo)
            qualify row_number() over (
                partition by {source_id}
                order by p."{columns.get("received_at", columns["id"])}" desc
            ) = 1
        )

        select todo.prompt_event_id, texts.prompt_text
        from todo
        left join texts on todo.prompt_event_id = texts.prompt_event_id
        order by todo.prompt_event_id
    """
    for name, relation in registered.items():
        session.register(name, relation)
    try:
        relation = session.sql(query)
        total = relation.count("*").fetchall()[0][0]
        for batch in relation.to_arrow_reader(batch_rows):
            yield batch.column(0).to_pylist(), batch.column(1).to_pylist(), total
    finally:
        for name in registered:
            session.unregister(name)


def _snowpark_batches(session, to_classify, prompts, done, batch_rows):
    """Snowflake (Snowpark): the same selection with the DataFrame API, in pandas batches."""
    from snowflake.snowpark import Window
    from snowflake.snowpark import functions as f

    names = {c.lower(): c for c in prompts.columns}
    text = f.col(names["prompt_text"]).cast("string") if "prompt_text" in names else f.lit(None)
    texts = prompts.select(
        f.trim(f.col(names["id"]).cast("string")).alias("PROMPT_EVENT_ID_SRC"),
        text.alias("PROMPT_TEXT"),
        f.row_number()
        .over(
            Window.partition_by(f.trim(f.col(names["id"]).cast("string"))).order_by(
                f.col(names.get("received_at", names["id"])).desc()
            )
        )
        .alias("DELIVERY_RANK"),
    ).filter(f.col("DELIVERY_RANK") == 1)
    todo = to_classify.filter(f.col("IS_SAMPLED"))
    if done is not None:
        todo = todo.join(done, on="PROMPT_EVENT_ID", how="left_anti")
    joined = todo.join(
        texts, todo["PROMPT_EVENT_ID"] == texts["PROMPT_EVENT_ID_SRC"], how="left"
    ).select(todo["PROMPT_EVENT_ID"], texts["PROMPT_TEXT"])
    total = joined.count()
    for frame in joined.to_pandas_batches():
        for start in range(0, len(frame), batch_rows):
            part = frame.iloc[start : start + batch_rows]
            yield part["PROMPT_EVENT_ID"].tolist(), part["PROMPT_TEXT"].tolist(), total


def _typed(frame, pd):
    """Fixed column types, so a run whose labels are all NULL still creates text columns."""
    text = [
        "prompt_event_id",
        "intent",
        "classifier",
        "classifier_version",
        "classification_status",
    ]
    for column in text:
        frame[column] = frame[column].astype("string")
    frame["confidence"] = pd.to_numeric(frame["confidence"], errors="coerce").astype("float64")
    frame["llm_tokens"] = pd.to_numeric(frame["llm_tokens"], errors="coerce").astype("float64")
    frame["is_invalid_label"] = frame["is_invalid_label"].fillna(False).astype("bool")
    frame["classified_at"] = pd.to_datetime(frame["classified_at"])
    return frame


def _empty_frame(pd):
    return pd.DataFrame(
        {
            "prompt_event_id": pd.Series(dtype="object"),
            "intent": pd.Series(dtype="object"),
            "confidence": pd.Series(dtype="float64"),
            "classifier": pd.Series(dtype="object"),
            "classifier_version": pd.Series(dtype="object"),
            "classification_status": pd.Series(dtype="object"),
            "is_invalid_label": pd.Series(dtype="bool"),
            "llm_tokens": pd.Series(dtype="float64"),
        }
    )
