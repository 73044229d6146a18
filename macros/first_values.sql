{#
    One row per `partition_by` value with the `columns` of its first row in the
    order of `order_by` (expressions, all ascending, NULLs last), as a select
    over `relation`. Other warehouses rank the rows with a window; DuckDB takes
    the values in one aggregate (arg_min_null over a struct of the order keys,
    whose NULL fields sort last), which saves sorting every row.
#}
{% macro first_values(relation, partition_by, order_by, columns) %}
    {{ return(adapter.dispatch('first_values', 'ai_product_analytics')(relation, partition_by, order_by, columns)) }}
{% endmacro %}

{% macro default__first_values(relation, partition_by, order_by, columns) -%}
    select
        {{ partition_by }},
        {{ columns | join(', ') }}
    from {{ relation }}
    qualify row_number() over (
        partition by {{ partition_by }}
        order by {% for expression in order_by %}{{ expression }} nulls last{{ ", " if not loop.last }}{% endfor %}
    ) = 1
{%- endmacro %}

{% macro duckdb__first_values(relation, partition_by, order_by, columns) -%}
    select
        {{ partition_by }},
        {%- for column in columns %}
        arg_min_null({{ column }}, struct_pack(
            {%- for expression in order_by %}k{{ loop.index }} := {{ expression }}{{ ", " if not loop.last }}{% endfor -%}
        )) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    group by {{ partition_by }}
{%- endmacro %}
