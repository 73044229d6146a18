{#
    A hint after `<name> as` that lets the warehouse inline a CTE read more
    than once instead of writing its rows out first. DuckDB materializes every
    CTE referenced twice or more, all columns included; for an import CTE
    (`select * from` a model) that copies a whole table only to read it again.
    Elsewhere the hint is empty: Snowflake inlines or reuses on its own.
#}
{% macro not_materialized() %}
    {{- return(adapter.dispatch('not_materialized', 'ai_product_analytics')()) -}}
{% endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
