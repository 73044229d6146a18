{#
    Every user action with the prompt turn it belongs to and the intent it
    counts under (as for responses: its turn's intent, else its own valid
    label, else `unknown`), on top of int_actions_flagged.

    A view, as int_responses_attributed: the links and resolved intents are
    stored, so a stored copy of every action would only cost its write.
#}
{{ config(materialized='view') }}

with actions as (
    select * from {{ ref('int_actions_flagged') }}
),

links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where event_kind = 'action'
),

prompt_intents as (
    select * from {{ ref('int_prompt_intents_resolved') }}
),

taxonomy as (
    {{ ai_product_analytics.taxonomy_names() }}
),

final as (
    select
        actions.*,
        links.prompt_event_id,
        links.link_method,
        coalesce(
            prompt_intents.intent,
            {{ ai_product_analytics.first_valid_intent('actions') }},
            'unknown'
        ) as intent
    from actions
    left join links on actions.event_id = links.event_id
    left join prompt_intents on links.prompt_event_id = prompt_intents.prompt_event_id
)

select * from final
