{#
    The relation to read one RudderStack event table from, or None when the
    table does not exist (optional tables such as the v0.3 ones, or
    `rudder_discards` before the first discard).

    `table_key` is the table's name in the AI Product Spec (for example
    `ai_user_prompt_created`); the identifier used comes from the var
    `<table_key>_identifier`, so a user with renamed tables sets only that var.
    Normally the value is dbt's `source()` (a fixture in unit tests). With the
    `rudderstack_parquet_path` var set (DuckDB only), the table is read from
    Parquet files instead: `<path>/<identifier>.parquet` or
    `<path>/<identifier>/*.parquet`, as RudderStack's data-lake destinations
    write them.
#}
{% macro source_table(table_key) %}
    {%- set declared = source('rudderstack', table_key) -%}
    {%- if not execute -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- set parquet = ai_product_analytics.parquet_files(table_key) -%}
    {%- if parquet is not none -%}
        {{ return("read_parquet(" ~ parquet ~ ", union_by_name = true)") }}
    {%- endif -%}
    {%- if ai_product_analytics.warehouse_table(table_key) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(declared) }}
{% endmacro %}


{#
    With `rudderstack_parquet_path` set: a SQL list literal of the Parquet
    files holding one table, or None when there are none. Without the var,
    or on a warehouse other than DuckDB: None.
#}
{% macro parquet_files(table_key) %}
    {%- set root = var('rudderstack_parquet_path', none) -%}
    {%- if not root or not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error("rudderstack_parquet_path works on DuckDB only") }}
    {%- endif -%}
    {%- set identifier = var(table_key ~ '_identifier', table_key) -%}
    {%- set base = root.rstrip('/') ~ '/' ~ identifier -%}
    {%- set found = run_query(
        "select file from glob('" ~ base ~ ".parquet') union all "
        ~ "select file from glob('" ~ base ~ "/*.parquet') order by 1"
    ) -%}
    {%- if found.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set files = [] -%}
    {%- for row in found.rows -%}
        {%- do files.append("'" ~ row[0] ~ "'") -%}
    {%- endfor -%}
    {{ return('[' ~ files | join(', ') ~ ']') }}
{% endmacro %}


{# The table as it exists in the warehouse (None when it does not), located by the vars. #}
{% macro warehouse_table(table_key) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(
        database=var('rudderstack_database', none) or target.database,
        schema=var('rudderstack_schema', 'rudderstack'),
        identifier=var(table_key ~ '_identifier', table_key)
    )) }}
{% endmacro %}


{#
    The columns of one source table: lowercase name -> {'name': name as
    stored, 'type': data type in uppercase}; empty when the table does not
    exist. Staging uses it to fill missing optional columns with typed NULLs
    and to cast each column from whatever type the loader gave it.
#}
{% macro source_columns(table_key) %}
    {%- set columns = {} -%}
    {%- set parquet = ai_product_analytics.parquet_files(table_key) -%}
    {%- if parquet is not none -%}
        {%- set described = run_query(
            "describe select * from read_parquet(" ~ parquet ~ ", union_by_name = true)") -%}
        {%- for row in described.rows -%}
            {%- do columns.update({row[0] | lower: {'name': row[0], 'type': row[1] | upper}}) -%}
        {%- endfor -%}
        {{ return(columns) }}
    {%- endif -%}
    {%- set relation = ai_product_analytics.warehouse_table(table_key) -%}
    {%- if relation is not none -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do columns.update({
                column.name | lower: {'name': column.name, 'type': column.data_type | upper}
            }) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{% endmacro %}


{# Every RudderStack event table the package reads, with its staging model. #}
{% macro event_table_models() %}
    {{ return([
        ('ai_user_prompt_created', 'stg_rudderstack__prompts'),
        ('ai_llm_response_received', 'stg_rudderstack__llm_responses'),
        ('ai_response_received', 'stg_rudderstack__interaction_responses'),
        ('ai_user_action', 'stg_rudderstack__user_actions'),
        ('ai_interaction_classified', 'stg_rudderstack__interaction_classifications'),
        ('ai_interaction_scored', 'stg_rudderstack__interaction_scores'),
    ]) }}
{% endmacro %}
