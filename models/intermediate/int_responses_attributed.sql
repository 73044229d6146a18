{#
    Every response with the prompt turn it belongs to and the intent it
    counts under: its turn's intent, else its own valid label, else `unknown`.

    Incremental: a run redoes the responses in int_incremental_scope_resolved.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.in_event_scope('conversation_id', 'response', 'event_id', 'int_incremental_scope_resolved')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with responses as (
    select * from {{ ref('int_responses_priced') }}
    {{ ai_product_analytics.where_events_in_scope('response', resolved=true) }}
),

links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where event_kind = 'response'
    {{ ai_product_analytics.and_in_scope("event_id in (select event_id from responses)") }}
),

prompt_intents as (
    select * from {{ ref('int_prompt_intents_resolved') }}
    {{ ai_product_analytics.where_in_scope(
        "prompt_event_id in (select prompt_event_id from links)") }}
),

taxonomy as (
    {{ ai_product_analytics.taxonomy_names() }}
),

final as (
    select
        responses.*,
        links.prompt_event_id,
        links.link_method,
        coalesce(
            prompt_intents.intent,
            {{ ai_product_analytics.first_valid_intent('responses') }},
            'unknown'
        ) as intent
    from responses
    left join links on responses.event_id = links.event_id
    left join prompt_intents on links.prompt_event_id = prompt_intents.prompt_event_id
)

select * from final
