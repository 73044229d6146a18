{#
    One row per `partition_by` value with the `columns` of its first row in the
    order of `order_by` (expressions, all ascending, NULLs last), and the
    `aggregates` (SQL `<aggregate> as <name>` strings) over all its rows, as a
    select over `relation`. Other warehouses rank the rows with a window and
    join the aggregates; DuckDB takes everything in one aggregate (arg_min_null
    over a struct of the order keys, whose NULL fields sort last), which saves
    sorting every row and reading `relation` twice.
#}
{% macro first_values(relation, partition_by, order_by, columns, aggregates=[]) %}
    {{ return(adapter.dispatch('first_values', 'ai_product_analytics')(relation, partition_by, order_by, columns, aggregates)) }}
{% endmacro %}

{% macro default__first_values(relation, partition_by, order_by, columns, aggregates) -%}
    {%- if aggregates | length == 0 -%}
    select
        {{ partition_by }},
        {{ columns | join(', ') }}
    from {{ relation }}
    qualify row_number() over (
        partition by {{ partition_by }}
        order by {% for expression in order_by %}{{ expression }} nulls last{{ ", " if not loop.last }}{% endfor %}
    ) = 1
    {%- else -%}
    select
        firsts.*,
        {%- for aggregate in aggregates %}
        totals.{{ aggregate.split(' as ')[-1] | trim }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        {{ ai_product_analytics.default__first_values(relation, partition_by, order_by, columns, []) }}
    ) as firsts
    inner join (
        select
            {{ partition_by }},
            {{ aggregates | join(',\n            ') }}
        from {{ relation }}
        group by {{ partition_by }}
    ) as totals
        on firsts.{{ partition_by }} is not distinct from totals.{{ partition_by }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__first_values(relation, partition_by, order_by, columns, aggregates) -%}
    select
        {{ partition_by }},
        {%- for column in columns %}
        arg_min_null({{ column }}, struct_pack(
            {%- for expression in order_by %}k{{ loop.index }} := {{ expression }}{{ ", " if not loop.last }}{% endfor -%}
        )) as {{ column }}{{ "," if (not loop.last or aggregates) }}
        {%- endfor %}
        {%- for aggregate in aggregates %}
        {{ aggregate }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    group by {{ partition_by }}
{%- endmacro %}
