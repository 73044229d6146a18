{#
    How users move between intents: consecutive prompts of a conversation.
    A prompt without an event time has no place in that order and is left
    out (it is in the quarantine as `missing_event_time`).
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_all_if_changed() }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
    where conversation_id is not null and prompt_at is not null
),

ordered as (
    select
        conversation_id,
        intent as to_intent,
        lag(intent) over (
            partition by conversation_id
            order by prompt_at, prompt_event_id
        ) as from_intent
    from prompt_turns
),

final as (
    select
        from_intent,
        to_intent,
        count(*) as transitions
    from ordered
    where from_intent is not null
    group by from_intent, to_intent
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
