{#
    Continuous percentile `fraction` (0–1) of `expression` within a group,
    interpolated as percentile_cont does. `fractions` lists every percentile
    the same select takes of the same expression: DuckDB then computes them
    all from one sort (one quantile_cont over the list, indexed), where
    separate percentile_cont calls sort the group once each. Other warehouses
    get the standard ordered-set aggregate.
#}
{% macro percentile_cont(expression, fraction, fractions=none) %}
    {%- set fractions = fractions if fractions is not none else [fraction] -%}
    {%- if fraction not in fractions -%}
        {{ exceptions.raise_compiler_error(
            'percentile_cont: fraction ' ~ fraction ~ ' is not in fractions ' ~ fractions) }}
    {%- endif -%}
    {{ return(adapter.dispatch('percentile_cont', 'ai_product_analytics')(expression, fraction, fractions)) }}
{% endmacro %}

{% macro default__percentile_cont(expression, fraction, fractions) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction, fractions) -%}
    quantile_cont({{ expression }}, [{{ fractions | join(', ') }}])[{{ fractions.index(fraction) + 1 }}]
{%- endmacro %}
