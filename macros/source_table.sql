{#
    The relation to read one RudderStack event table from, or None when the
    table does not exist in the warehouse (optional tables such as the v0.3
    ones, or `rudder_discards` before the first discard).

    `table_key` is the table's name in the AI Product Spec (for example
    `ai_user_prompt_created`); the identifier used comes from the var
    `<table_key>_identifier`, so a user with renamed tables sets only that var.
    The returned value is dbt's `source()` (a fixture in unit tests); the
    existence check looks at the warehouse itself.
#}
{% macro source_table(table_key) %}
    {%- set declared = source('rudderstack', table_key) -%}
    {%- if not execute -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- if ai_product_analytics.warehouse_table(table_key) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(declared) }}
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
