{#
    Cast that yields NULL instead of failing on a value that does not convert.
    dbt's own `safe_cast` is a plain cast on DuckDB, and a single odd value in a
    property column must not fail the build.
#}
{% macro try_cast(expression, data_type) %}
    {{ return(adapter.dispatch('try_cast', 'ai_product_analytics')(expression, data_type)) }}
{% endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{# Snowflake's TRY_CAST accepts only text input, so go through varchar first. #}
{% macro snowflake__try_cast(expression, data_type) -%}
    try_cast(cast({{ expression }} as varchar) as {{ data_type }})
{%- endmacro %}
