{#
    For every response and action, the prompt whose turn it belongs to, with
    what the intent and latency marts need of the event itself (its time, its
    own valid intent label, a response's latencies), so that they read these
    links without the events.

    - With an interaction id (spec v0.3): the prompt of the same interaction.
      When no prompt has it, the latest prompt *without* an interaction id
      (v0.1) of the conversation at or before the event: two events that both
      carry interaction ids join on them or not at all.
    - Without one (v0.1): the latest prompt of the conversation at or before
      the event. Prompts sort before other events at the same instant, and
      among themselves by id, so a tie resolves to the larger prompt id.

    Incremental: a run relinks the events of the conversations in scope and
    the events in scope without a conversation (int_incremental_scope).
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.link_scope_condition()) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope') }}

with all_prompts as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__prompts') }}
),

prompts as (
    select * from all_prompts
    {{ ai_product_analytics.where_in_scope(
        "conversation_id in (" ~ ai_product_analytics.scope_keys('conversation') ~ ")") }}
),

responses as (
    select * from {{ ref('int_responses_priced') }}
    {{ ai_product_analytics.where_events_in_scope('response') }}
),

actions as (
    select * from {{ ref('stg_rudderstack__user_actions') }}
    {{ ai_product_analytics.where_events_in_scope('action') }}
),

taxonomy as (
    {{ ai_product_analytics.taxonomy_names() }}
),

interaction_prompts as (
    select
        interaction_id,
        event_id as prompt_event_id
    from all_prompts
    where interaction_id is not null
    {% if ai_product_analytics.is_scoped_run() -%}
        and interaction_id in (
            select interaction_id from responses
            union
            select interaction_id from actions
        )
    {%- endif %}
    qualify row_number() over (
        partition by interaction_id
        order by event_at desc nulls last, event_id desc
    ) = 1
),

-- What the intent and latency marts need of each event rides along, so
-- that they read these links alone: the event's own valid label, and a
-- response's latencies.
linkable_events as {{ ai_product_analytics.not_materialized(in_scope=true) }} (
    select
        'response' as event_kind,
        responses.event_id,
        responses.conversation_id,
        responses.interaction_id,
        responses.event_at,
        {{ ai_product_analytics.first_valid_intent('responses') }} as own_intent,
        responses.latency_ms,
        responses.time_to_first_token_ms
    from responses
    union all
    select
        'action' as event_kind,
        actions.event_id,
        actions.conversation_id,
        actions.interaction_id,
        actions.event_at,
        {{ ai_product_analytics.first_valid_intent('actions') }} as own_intent,
        cast(null as double precision) as latency_ms,
        cast(null as double precision) as time_to_first_token_ms
    from actions
),

conversation_timeline as (
    select
        'prompt' as event_kind,
        0 as kind_order,
        event_id,
        conversation_id,
        interaction_id,
        event_at,
        cast(null as {{ dbt.type_string() }}) as own_intent,
        cast(null as double precision) as latency_ms,
        cast(null as double precision) as time_to_first_token_ms
    from prompts
    where conversation_id is not null and event_at is not null
    union all
    select
        event_kind,
        1 as kind_order,
        event_id,
        conversation_id,
        interaction_id,
        event_at,
        own_intent,
        latency_ms,
        time_to_first_token_ms
    from linkable_events
    where conversation_id is not null and event_at is not null
),

-- Each response or action with the latest prompt before it, read off the
-- timeline (the window carries the event's own columns, so nothing is joined back).
timeline_links as (
    select
        event_kind,
        event_id,
        conversation_id,
        interaction_id,
        event_at,
        own_intent,
        latency_ms,
        time_to_first_token_ms,
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

timed_events as (
    select * from timeline_links
    where event_kind <> 'prompt'
),

-- Events off the timeline (no conversation or no event time) have no latest prompt.
untimed_events as (
    select
        event_kind,
        event_id,
        conversation_id,
        interaction_id,
        event_at,
        own_intent,
        latency_ms,
        time_to_first_token_ms,
        cast(null as {{ dbt.type_string() }}) as latest_prompt_event_id,
        cast(null as {{ dbt.type_string() }}) as latest_v01_prompt_event_id
    from linkable_events
    where conversation_id is null or event_at is null
),

events as (
    select * from timed_events
    union all
    select * from untimed_events
),

linked as (
    select
        events.event_kind,
        events.event_id,
        events.conversation_id,
        case
            when interaction_prompts.prompt_event_id is not null
                then interaction_prompts.prompt_event_id
            when events.interaction_id is not null
                then events.latest_v01_prompt_event_id
            else events.latest_prompt_event_id
        end as prompt_event_id,
        case
            when interaction_prompts.prompt_event_id is not null then 'interaction'
            when
                events.interaction_id is not null
                and events.latest_v01_prompt_event_id is not null then 'conversation_time'
            when
                events.interaction_id is null
                and events.latest_prompt_event_id is not null then 'conversation_time'
        end as link_method,
        events.event_at,
        events.own_intent,
        events.latency_ms,
        events.time_to_first_token_ms
    from events
    left join interaction_prompts
        on events.interaction_id = interaction_prompts.interaction_id
),

final as (
    select * from linked
)

select * from final
