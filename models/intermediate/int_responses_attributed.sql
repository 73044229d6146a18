{#
    Every response with the prompt turn it belongs to and the intent it
    counts under: its turn's intent, else its own valid label, else `unknown`.

    A view: the rows are int_responses_priced's, the turn comes from the
    stored links and the intent from the stored resolved intents, so a
    fourth stored copy of every response would only cost its write (and its
    upkeep on every incremental run). Marts that need neither the turn nor
    the intent read int_responses_priced.
#}
{{ config(materialized='view') }}

with responses as (
    select * from {{ ref('int_responses_priced') }}
),

links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where event_kind = 'response'
),

prompt_intents as (
    select * from {{ ref('int_prompt_intents_resolved') }}
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
