{#
    One row per pair of consecutive prompts of a conversation (ordered by
    event time, then id), keyed by the later prompt: where a user went next,
    from which intent to which. ai_intent_transitions counts these rows.
    A prompt without an event time has no place in that order and is left
    out (the quarantine lists it as `missing_event_time`), as is a prompt
    without a conversation id.

    Incremental: a run redoes the prompts in int_incremental_scope_resolved,
    which lists every prompt of a conversation in scope, so the order is
    always taken over whole conversations. Stored, so that the counts need
    no pass over every conversation.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.prompt_scope_condition('prompt_event_id')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
    where conversation_id is not null and prompt_at is not null
    {{ ai_product_analytics.and_in_scope(
        ai_product_analytics.prompt_scope_condition('prompt_event_id')) }}
),

ordered as (
    select
        prompt_event_id,
        conversation_id,
        user_key,
        prompt_at,
        intent as to_intent,
        lag(intent) over (
            partition by conversation_id
            order by prompt_at, prompt_event_id
        ) as from_intent
    from prompt_turns
),

final as (
    select
        prompt_event_id,
        conversation_id,
        user_key,
        prompt_at,
        from_intent,
        to_intent
    from ordered
    where from_intent is not null
)

select * from final
