{#
    A hint after `<name> as` that lets the warehouse inline a CTE read more
    than once instead of writing its rows out first. DuckDB materializes every
    CTE referenced twice or more, all columns included; for an import CTE
    (`select * from` a model) that copies a whole table only to read it again.
    Elsewhere the hint is empty: Snowflake inlines or reuses on its own.

    `in_scope=true` marks a CTE that an incremental run filters to the rows
    in scope. On such a run the hint is left out: the CTE holds a few thousand
    rows, and writing them once is cheaper than filtering the whole table
    again at every read.
#}
{% macro not_materialized(in_scope=false) %}
    {{- return(adapter.dispatch('not_materialized', 'ai_product_analytics')(in_scope)) -}}
{% endmacro %}

{% macro default__not_materialized(in_scope) -%}
{%- endmacro %}

{% macro duckdb__not_materialized(in_scope) -%}
    {%- if not (in_scope and ai_product_analytics.is_scoped_run()) -%}
        not materialized
    {%- endif -%}
{%- endmacro %}
