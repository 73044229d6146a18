{#
    For every response and action, the prompt whose turn it belongs to: the
    latest prompt of the same conversation at or before it. Prompts sort
    before other events at the same instant, and among themselves by id, so a
    tie resolves to the larger prompt id.
#}
with prompts as (
    select * from {{ ref('stg_rudderstack__prompts') }}
),

responses as (
    select * from {{ ref('int_responses_priced') }}
),

actions as (
    select * from {{ ref('stg_rudderstack__user_actions') }}
),

conversation_events as (
    select 'prompt' as event_kind, 0 as kind_order, event_id, conversation_id, event_at
    from prompts
    where conversation_id is not null and event_at is not null
    union all
    select 'response' as event_kind, 1 as kind_order, event_id, conversation_id, event_at
    from responses
    where conversation_id is not null and event_at is not null
    union all
    select 'action' as event_kind, 1 as kind_order, event_id, conversation_id, event_at
    from actions
    where conversation_id is not null and event_at is not null
),

linked as (
    select
        event_kind,
        event_id,
        {{ ai_product_analytics.last_value_ignore_nulls(
            "case when event_kind = 'prompt' then event_id end",
            "conversation_id",
            "event_at, kind_order, event_id"
        ) }} as prompt_event_id
    from conversation_events
),

final as (
    select event_kind, event_id, prompt_event_id
    from linked
    where event_kind <> 'prompt'
)

select * from final
