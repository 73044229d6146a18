{#
    The latest non-NULL value of `expression` up to the current row of a
    window. The IGNORE NULLS clause sits inside the call on DuckDB and after
    it on Snowflake.
#}
{% macro last_value_ignore_nulls(expression, partition_by, order_by) %}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'ai_product_analytics')(expression, partition_by, order_by)) }}
{% endmacro %}

{% macro default__last_value_ignore_nulls(expression, partition_by, order_by) -%}
    last_value({{ expression }}) ignore nulls over (
        partition by {{ partition_by }}
        order by {{ order_by }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}

{% macro duckdb__last_value_ignore_nulls(expression, partition_by, order_by) -%}
    last_value({{ expression }} ignore nulls) over (
        partition by {{ partition_by }}
        order by {{ order_by }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}
