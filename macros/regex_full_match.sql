{# True when the whole of `expression` matches the regular expression `pattern`. #}
{% macro regex_full_match(expression, pattern) %}
    {{ return(adapter.dispatch('regex_full_match', 'ai_product_analytics')(expression, pattern)) }}
{% endmacro %}

{% macro default__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{# Snowflake's REGEXP_LIKE is anchored at both ends already. #}
{% macro snowflake__regex_full_match(expression, pattern) -%}
    regexp_like({{ expression }}, '{{ pattern }}')
{%- endmacro %}
