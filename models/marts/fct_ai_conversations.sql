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

responses as (
    select * from {{ ref('int_responses_priced') }}
    {{ ai_product_analytics.where_conversation_in_scope() }}
),

actions as (
    select * from {{ ref('int_actions_flagged') }}
    {{ ai_product_analytics.where_conversation_in_scope() }}
),

-- Every event of a conversation with what the conversation counts of it,
-- read once per input (the inputs are views) and aggregated below.
conversation_events as (
    select
        conversation_id,
        user_key,
        prompt_event_id as event_id,
        prompt_at as event_at,
        0 as kind_order,
        cast(null as {{ dbt.type_string() }}) as response_status,
        cast(null as {{ dbt.type_bigint() }}) as total_tokens,
        cast(null as double precision) as cost_usd,
        cast(null as {{ dbt.type_bigint() }}) as llm_call_count,
        cast(null as {{ dbt.type_bigint() }}) as tool_call_count,
        false as is_feedback
    from prompt_turns
    where conversation_id is not null
    union all
    select
        conversation_id,
        user_key,
        event_id,
        event_at,
        1 as kind_order,
        response_status,
        total_tokens,
        cost_usd,
        llm_call_count,
        tool_call_count,
        false as is_feedback
    from responses
    where conversation_id is not null
    union all
    select
        conversation_id,
        user_key,
        event_id,
        event_at,
        2 as kind_order,
        cast(null as {{ dbt.type_string() }}) as response_status,
        cast(null as {{ dbt.type_bigint() }}) as total_tokens,
        cast(null as double precision) as cost_usd,
        cast(null as {{ dbt.type_bigint() }}) as llm_call_count,
        cast(null as {{ dbt.type_bigint() }}) as tool_call_count,
        is_feedback
    from actions
    where conversation_id is not null
),

-- The intent of the conversation's first prompt, and how many it has.
prompt_intents as (
    select
        conversation_id,
        intent as first_intent,
        distinct_intents
    from (
        {{ ai_product_analytics.first_values(
            'prompt_turns', 'conversation_id', ['prompt_at', 'prompt_event_id'], ['intent'],
            aggregates=['count(distinct intent) as distinct_intents']
        ) }}
    ) as firsts
    where conversation_id is not null
),

-- The user of the conversation's first event, and its totals.
conversation_totals as (
    {{ ai_product_analytics.first_values(
        'conversation_events', 'conversation_id', ['event_at', 'kind_order', 'event_id'], ['user_key'],
        aggregates=[
            'min(event_at) as started_at',
            'max(event_at) as ended_at',
            'count(case when kind_order = 0 then 1 end) as prompts',
            'count(case when kind_order = 1 then 1 end) as responses',
            "count(case when response_status = 'error' then 1 end) as errors",
            "count(case when response_status = 'timeout' then 1 end) as timeouts",
            'cast(sum(total_tokens) as ' ~ dbt.type_bigint() ~ ') as total_tokens',
            'sum(cost_usd) as total_cost_usd',
            'cast(sum(llm_call_count) as ' ~ dbt.type_bigint() ~ ') as llm_calls',
            'cast(sum(tool_call_count) as ' ~ dbt.type_bigint() ~ ') as tool_calls',
            'count(case when kind_order = 2 then 1 end) as actions',
            'count(case when is_feedback then 1 end) as feedback_events',
        ]
    ) }}
),

final as (
    select
        -- ids
        conversation_totals.conversation_id,
        conversation_totals.user_key,
        -- dimensions
        prompt_intents.first_intent,
        coalesce(prompt_intents.distinct_intents, 0) as distinct_intents,
        -- measures
        conversation_totals.prompts,
        conversation_totals.responses,
        conversation_totals.errors,
        conversation_totals.timeouts,
        conversation_totals.total_tokens,
        conversation_totals.total_cost_usd,
        conversation_totals.llm_calls,
        conversation_totals.tool_calls,
        conversation_totals.actions,
        conversation_totals.feedback_events,
        {{ dbt.datediff(
            'conversation_totals.started_at', 'conversation_totals.ended_at', 'second'
        ) }} as duration_seconds,
        -- timestamps
        conversation_totals.started_at,
        conversation_totals.ended_at
    from conversation_totals
    left join prompt_intents on conversation_totals.conversation_id = prompt_intents.conversation_id
)

select * from final
