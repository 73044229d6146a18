{#
    The warehouse function that redacts personal data from text: the same
    Python as `ai-analytics redact` and the LLM classifier
    (python_udfs/redaction.py). Used by staging only when the
    `keep_redacted_text` var opts in.

    - DuckDB: `ai_redact`, registered on dbt's connection by the dbt-duckdb
      plugin ai_analytics.duckdb_plugin (profiles.yml).
    - Snowflake: a Python UDF in the target schema, created by the
      on-run-start hooks below from an inlined copy of the module.
#}
{% macro redact_function() %}
    {{ return(adapter.dispatch('redact_function', 'ai_product_analytics')()) }}
{% endmacro %}

{% macro default__redact_function() -%}
    ai_redact
{%- endmacro %}

{% macro snowflake__redact_function() -%}
    {{ target.database }}.{{ target.schema }}.ai_redact
{%- endmacro %}


{# on-run-start: the schema the Snowflake UDF lives in (a no-op elsewhere or when not opted in). #}
{% macro create_warehouse_function_schema() %}
    {%- if target.type == 'snowflake' and var('keep_redacted_text', false) -%}
        create schema if not exists {{ target.database }}.{{ target.schema }}
    {%- else -%}
        select 1 as nothing_to_create
    {%- endif -%}
{% endmacro %}


{# on-run-start: the Snowflake Python UDF `ai_redact` (a no-op elsewhere or when not opted in). #}
{% macro create_warehouse_functions() %}
    {%- if target.type == 'snowflake' and var('keep_redacted_text', false) -%}
        create or replace function {{ ai_product_analytics.redact_function() }}(text varchar)
        returns varchar
        language python
        runtime_version = '3.11'
        handler = 'redact'
        as $${{ ai_product_analytics.redaction_python_source() }}$$
    {%- else -%}
        select 1 as nothing_to_create
    {%- endif -%}
{% endmacro %}
