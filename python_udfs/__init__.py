"""Python that runs in the warehouse: plain functions, no dbt.

- `redaction`: personal-data redaction, standard library only, so the same code
  runs as a DuckDB UDF, a Snowflake Python UDF and `ai-analytics redact`;
- `intent_classifier`: the offline classifier (scikit-learn), run by the dbt
  Python model `int_prompt_intents_classified` and `ai-analytics classify-eval`;
- `llm_classifier`: the opt-in LLM backend (httpx, tenacity).
"""
