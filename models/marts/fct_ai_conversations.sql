{#
    One row per conversation id seen in any prompt, response or action.
    Counts are of the conversation's own events, so responses whose prompt
    never arrived still count here.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.conversation_scope_condition('conversation_id')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}
with prompt_turns as {{ ai_product_analytics.not_materialized(in_scope=true) }} (
    select * from {{ ref('fct_ai_prompt_turns') }}
    {{ ai_product_analytics.where_conversation_in_scope() }}
),

responses as {{ ai_product_analytics.not_materialized(in_scope=true) }} (
    select * from {{ ref('int_responses_attributed') }}
    {{ ai_product_analytics.where_conversation_in_scope() }}
),

actions as {{ ai_product_analytics.not_materialized(in_scope=true) }} (
    select * from {{ ref('int_actions_attributed') }}
    {{ ai_product_analytics.where_conversation_in_scope() }}
),

conversation_events as {{ ai_product_analytics.not_materialized(in_scope=true) }} (
    select
        conversation_id,
        user_key,
        prompt_event_id as event_id,
        prompt_at as event_at,
        0 as kind_order
    from prompt_turns
    where conversation_id is not null
    union all
    select
        conversation_id,
        user_key,
        event_id,
        event_at,
        1 as kind_order
    from responses
    where conversation_id is not null
    union all
    select
        conversation_id,
        user_key,
        event_id,
        event_at,
        2 as kind_order
    from actions
    where conversation_id is not null
),

first_events as (
    {{ ai_product_analytics.first_values(
        'conversation_events', 'conversation_id', ['event_at', 'kind_order', 'event_id'], ['user_key']
    ) }}
),

event_spans as (
    select
        conversation_id,
        min(event_at) as started_at,
        max(event_at) as ended_at
    from conversation_events
    group by conversation_id
),

prompt_totals as (
    select
        conversation_id,
        count(*) as prompts,
        count(distinct intent) as distinct_intents
    from prompt_turns
    where conversation_id is not null
    group by conversation_id
),

first_prompts as (
    select
        conversation_id,
        intent as first_intent
    from (
        {{ ai_product_analytics.first_values(
            'prompt_turns', 'conversation_id', ['prompt_at', 'prompt_event_id'], ['intent']
        ) }}
    ) as firsts
    where conversation_id is not null
),

response_totals as (
    select
        conversation_id,
        count(*) as responses,
        count(case when response_status = 'error' then 1 end) as errors,
        count(case when response_status = 'timeout' then 1 end) as timeouts,
        cast(sum(total_tokens) as {{ dbt.type_bigint() }}) as total_tokens,
        sum(cost_usd) as total_cost_usd,
        cast(sum(llm_call_count) as {{ dbt.type_bigint() }}) as llm_calls,
        cast(sum(tool_call_count) as {{ dbt.type_bigint() }}) as tool_calls
    from responses
    where conversation_id is not null
    group by conversation_id
),

action_totals as (
    select
        conversation_id,
        count(*) as actions,
        count(case when is_feedback then 1 end) as feedback_events
    from actions
    where conversation_id is not null
    group by conversation_id
),

final as (
    select
        -- ids
        event_spans.conversation_id,
        first_events.user_key,
        -- dimensions
        first_prompts.first_intent,
        coalesce(prompt_totals.distinct_intents, 0) as distinct_intents,
        -- measures
        coalesce(prompt_totals.prompts, 0) as prompts,
        coalesce(response_totals.responses, 0) as responses,
        coalesce(response_totals.errors, 0) as errors,
        coalesce(response_totals.timeouts, 0) as timeouts,
        response_totals.total_tokens,
        response_totals.total_cost_usd,
        response_totals.llm_calls,
        response_totals.tool_calls,
        coalesce(action_totals.actions, 0) as actions,
        coalesce(action_totals.feedback_events, 0) as feedback_events,
        {{ dbt.datediff('event_spans.started_at', 'event_spans.ended_at', 'second') }}
            as duration_seconds,
        -- timestamps
        event_spans.started_at,
        event_spans.ended_at
    from event_spans
    inner join first_events on event_spans.conversation_id = first_events.conversation_id
    left join prompt_totals on event_spans.conversation_id = prompt_totals.conversation_id
    left join first_prompts on event_spans.conversation_id = first_prompts.conversation_id
    left join response_totals on event_spans.conversation_id = response_totals.conversation_id
    left join action_totals on event_spans.conversation_id = action_totals.conversation_id
)

select * from final
