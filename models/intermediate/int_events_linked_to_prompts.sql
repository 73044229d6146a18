{#
    For every response and action, the prompt whose turn it belongs to.

    - With an interaction id (spec v0.3): the prompt of the same interaction.
      When no prompt has it, the latest prompt *without* an interaction id
      (v0.1) of the conversation at or before the event: two events that both
      carry interaction ids join on them or not at all.
    - Without one (v0.1): the latest prompt of the conversation at or before
      the event. Prompts sort before other events at the same instant, and
      among themselves by id, so a tie resolves to the larger prompt id.
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

interaction_prompts as (
    select
        interaction_id,
        event_id as prompt_event_id
    from prompts
    where interaction_id is not null
    qualify row_number() over (
        partition by interaction_id
        order by event_at desc nulls last, event_id desc
    ) = 1
),

linkable_events as (
    select
        'response' as event_kind,
        event_id,
        conversation_id,
        interaction_id,
        event_at
    from responses
    union all
    select
        'action' as event_kind,
        event_id,
        conversation_id,
        interaction_id,
        event_at
    from actions
),

conversation_timeline as (
    select
        'prompt' as event_kind,
        0 as kind_order,
        event_id,
        conversation_id,
        interaction_id,
        event_at
    from prompts
    where conversation_id is not null and event_at is not null
    union all
    select
        event_kind,
        1 as kind_order,
        event_id,
        conversation_id,
        interaction_id,
        event_at
    from linkable_events
    where conversation_id is not null and event_at is not null
),

latest_prompts as (
    select
        event_kind,
        event_id,
        {{ ai_product_analytics.last_value_ignore_nulls(
            "case when event_kind = 'prompt' then event_id end",
            "conversation_id",
            "event_at, kind_order, event_id"
        ) }} as latest_prompt_event_id,
        {{ ai_product_analytics.last_value_ignore_nulls(
            "case when event_kind = 'prompt' and interaction_id is null then event_id end",
            "conversation_id",
            "event_at, kind_order, event_id"
        ) }} as latest_v01_prompt_event_id
    from conversation_timeline
),

linked as (
    select
        linkable_events.event_kind,
        linkable_events.event_id,
        case
            when interaction_prompts.prompt_event_id is not null
                then interaction_prompts.prompt_event_id
            when linkable_events.interaction_id is not null
                then latest_prompts.latest_v01_prompt_event_id
            else latest_prompts.latest_prompt_event_id
        end as prompt_event_id,
        case
            when interaction_prompts.prompt_event_id is not null then 'interaction'
            when
                linkable_events.interaction_id is not null
                and latest_prompts.latest_v01_prompt_event_id is not null then 'conversation_time'
            when
                linkable_events.interaction_id is null
                and latest_prompts.latest_prompt_event_id is not null then 'conversation_time'
        end as link_method
    from linkable_events
    left join interaction_prompts
        on linkable_events.interaction_id = interaction_prompts.interaction_id
    left join latest_prompts
        on linkable_events.event_kind = latest_prompts.event_kind
        and linkable_events.event_id = latest_prompts.event_id
),

final as (
    select * from linked
)

select * from final
