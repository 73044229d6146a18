{#
    The first valid label of an event: its `classified_intent` if that names
    an intent of the taxonomy, else its `intent` if that does, else NULL.
    `taxonomy` is the name of a CTE with one column `intent_name`.
#}
{% macro first_valid_intent(relation_alias, taxonomy='taxonomy') -%}
    case
        when {{ relation_alias }}.event_classified_intent in (select intent_name from {{ taxonomy }})
            then {{ relation_alias }}.event_classified_intent
        when {{ relation_alias }}.event_intent in (select intent_name from {{ taxonomy }})
            then {{ relation_alias }}.event_intent
    end
{%- endmacro %}


{# The taxonomy seed as a set of normalised names (an import CTE body). #}
{% macro taxonomy_names() -%}
    select distinct lower(trim(intent_name)) as intent_name
    from {{ ref('ai_intent_taxonomy') }}
{%- endmacro %}
