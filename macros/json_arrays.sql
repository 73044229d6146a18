{#
    One row per element of a JSON array held as text (RudderStack stores
    array properties such as `usage_breakdown` as JSON strings). Used after
    `from <relation> as <alias>`; text that is not valid JSON yields no rows.
#}
{% macro json_array_elements(json_expression, element_alias) %}
    {{ return(adapter.dispatch('json_array_elements', 'ai_product_analytics')(json_expression, element_alias)) }}
{% endmacro %}

{% macro default__json_array_elements(json_expression, element_alias) -%}
    cross join unnest(
        case when json_valid({{ json_expression }}) then json_extract({{ json_expression }}, '$[*]') end
    ) as {{ element_alias }}_rows ({{ element_alias }})
{%- endmacro %}

{# Snowflake: LATERAL FLATTEN over the parsed array; TRY_PARSE_JSON skips bad text. #}
{% macro snowflake__json_array_elements(json_expression, element_alias) -%}
    , lateral flatten(input => try_parse_json({{ json_expression }})) as {{ element_alias }}
{%- endmacro %}


{# A field of one element as text (NULL when absent). #}
{% macro json_element_text(element_alias, key) %}
    {{ return(adapter.dispatch('json_element_text', 'ai_product_analytics')(element_alias, key)) }}
{% endmacro %}

{% macro default__json_element_text(element_alias, key) -%}
    json_extract_string({{ element_alias }}, '$.{{ key }}')
{%- endmacro %}

{% macro snowflake__json_element_text(element_alias, key) -%}
    cast({{ element_alias }}.value:"{{ key }}" as varchar)
{%- endmacro %}


{#
    A one-element JSON array of a text value, as compact JSON text (`["stop"]`),
    escaped by the warehouse's own JSON writer; NULL when the value is NULL.
#}
{% macro json_text_array(expression) %}
    {{ return(adapter.dispatch('json_text_array', 'ai_product_analytics')(expression)) }}
{% endmacro %}

{% macro default__json_text_array(expression) -%}
    case when {{ expression }} is not null then cast(to_json([{{ expression }}]) as {{ dbt.type_string() }}) end
{%- endmacro %}

{# Snowflake: no list literal; ARRAY_CONSTRUCT builds the array, TO_JSON writes it. #}
{% macro snowflake__json_text_array(expression) -%}
    case when {{ expression }} is not null then to_json(array_construct({{ expression }})) end
{%- endmacro %}
