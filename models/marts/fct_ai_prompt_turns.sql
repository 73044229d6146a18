{#
    One row per prompt: its intent, the response that answered it (the
    turn's earliest response), the cost and tokens of all its responses, and
    what the user did with them.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.prompt_scope_condition('prompt_event_id')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}
with prompts as (
    select * from {{ ref('stg_rudderstack__prompts') }}
    {{ ai_product_analytics.where_events_in_scope('prompt', resolved=true) }}
),

prompt_intents as (
    select * from {{ ref('int_prompt_intents_resolved') }}
    {{ ai_product_analytics.where_in_scope(
        ai_product_analytics.prompt_scope_condition('prompt_event_id')) }}
),

priced_responses as (
    select * from {{ ref('int_responses_priced') }}
),

flagged_actions as (
    select * from {{ ref('int_actions_flagged') }}
),

-- Read twice (responses, actions): scanned twice rather than held in memory
-- while the turn's joins build, except on a scoped run, where it is small.
links as {{ ai_product_analytics.not_materialized(in_scope=true) }} (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where prompt_event_id is not null
    {{ ai_product_analytics.and_in_scope(
        ai_product_analytics.prompt_scope_condition('prompt_event_id')) }}
),

classifications as (
    select * from {{ ref('int_interaction_classifications_latest') }}
),

responses as (
    select
        links.prompt_event_id,
        priced_responses.*
    from priced_responses
    inner join links
        on links.event_kind = 'response' and priced_responses.event_id = links.event_id
),

actions as (
    select
        links.prompt_event_id,
        flagged_actions.*
    from flagged_actions
    inner join links
        on links.event_kind = 'action' and flagged_actions.event_id = links.event_id
),

-- The turn's answer (its earliest response) with the totals over all its
-- responses, in one pass: the totals are window aggregates over the
-- partition the answer is ranked in.
answers as (
    select
        prompt_event_id,
        event_id,
        event_at,
        response_status,
        model_used,
        outcome,
        latency_ms,
        time_to_first_token_ms,
        count(*) over (partition by prompt_event_id) as responses,
        cast(
            sum(prompt_tokens) over (partition by prompt_event_id) as {{ dbt.type_bigint() }}
        ) as prompt_tokens,
        cast(
            sum(completion_tokens) over (partition by prompt_event_id) as {{ dbt.type_bigint() }}
        ) as completion_tokens,
        cast(
            sum(total_tokens) over (partition by prompt_event_id) as {{ dbt.type_bigint() }}
        ) as total_tokens,
        sum(cost_usd) over (partition by prompt_event_id) as cost_usd,
        cast(
            sum(llm_call_count) over (partition by prompt_event_id) as {{ dbt.type_bigint() }}
        ) as llm_calls,
        cast(
            sum(tool_call_count) over (partition by prompt_event_id) as {{ dbt.type_bigint() }}
        ) as tool_calls,
        max(case when is_cost_derived then 1 else 0 end) over (partition by prompt_event_id) = 1
            as has_derived_cost
    from responses
    qualify row_number() over (
        partition by prompt_event_id
        order by event_at, event_id
    ) = 1
),

action_totals as (
    select
        prompt_event_id,
        count(*) as actions,
        count(case when is_feedback then 1 end) as feedback_events,
        count(case when is_rating then 1 end) as rating_count,
        avg(case when is_rating then rating_value end) as avg_rating,
        sum(case when is_rating then rating_value end) as rating_sum,
        count(case when is_thumb and is_thumbs_up then 1 end) as thumbs_up_count,
        count(case when is_thumb and not is_thumbs_up then 1 end) as thumbs_down_count,
        count(case when is_regeneration then 1 end) as regenerations,
        count(case when is_copy then 1 end) as copies,
        count(case when is_share then 1 end) as shares,
        count(case when is_report then 1 end) as reports,
        count(case when is_acceptance then 1 end) as acceptances,
        count(case when is_rejection then 1 end) as rejections,
        count(case when is_edit then 1 end) as edits,
        count(case when is_click_through then 1 end) as click_throughs,
        count(case when is_retraction then 1 end) as retractions
    from actions
    group by prompt_event_id
),

final as (
    select
        -- ids
        prompts.event_id as prompt_event_id,
        prompts.conversation_id,
        prompts.interaction_id,
        prompts.user_key,
        (prompts.user_id is not null) as is_identified_user,
        prompts.session_id,
        answers.event_id as response_event_id,
        -- dimensions
        prompt_intents.intent,
        prompt_intents.intent_source,
        prompts.input_method,
        prompts.prompt_number,
        prompts.spec_version,
        answers.response_status,
        answers.model_used,
        coalesce(classifications.outcome, answers.outcome) as outcome,
        -- measures
        prompts.prompt_length_chars,
        answers.latency_ms,
        answers.time_to_first_token_ms,
        coalesce(answers.responses, 0) as responses,
        answers.prompt_tokens,
        answers.completion_tokens,
        answers.total_tokens,
        answers.cost_usd,
        coalesce(answers.has_derived_cost, false) as has_derived_cost,
        answers.llm_calls,
        answers.tool_calls,
        coalesce(action_totals.actions, 0) as actions,
        coalesce(action_totals.feedback_events, 0) as feedback_events,
        coalesce(action_totals.rating_count, 0) as rating_count,
        action_totals.avg_rating,
        action_totals.rating_sum,
        coalesce(action_totals.thumbs_up_count, 0) as thumbs_up_count,
        coalesce(action_totals.thumbs_down_count, 0) as thumbs_down_count,
        coalesce(action_totals.regenerations, 0) as regenerations,
        coalesce(action_totals.copies, 0) as copies,
        coalesce(action_totals.shares, 0) as shares,
        coalesce(action_totals.reports, 0) as reports,
        coalesce(action_totals.acceptances, 0) as acceptances,
        coalesce(action_totals.rejections, 0) as rejections,
        coalesce(action_totals.edits, 0) as edits,
        coalesce(action_totals.click_throughs, 0) as click_throughs,
        coalesce(action_totals.retractions, 0) as retractions,
        -- flags
        (answers.event_id is not null) as has_response,
        coalesce(answers.response_status = 'error', false) as is_error,
        coalesce(answers.response_status = 'timeout', false) as is_timeout,
        coalesce(action_totals.rating_count, 0) > 0 as has_rating,
        coalesce(action_totals.thumbs_up_count, 0) > 0 as has_thumbs_up,
        coalesce(action_totals.thumbs_down_count, 0) > 0 as has_thumbs_down,
        coalesce(action_totals.regenerations, 0) > 0 as is_regenerated,
        coalesce(action_totals.copies, 0) > 0 as is_copied,
        coalesce(action_totals.shares, 0) > 0 as is_shared,
        coalesce(action_totals.reports, 0) > 0 as is_reported,
        -- timestamps
        prompts.event_at as prompt_at,
        cast(prompts.event_at as date) as prompt_date,
        answers.event_at as response_at
    from prompts
    left join prompt_intents on prompts.event_id = prompt_intents.prompt_event_id
    left join answers on prompts.event_id = answers.prompt_event_id
    left join action_totals on prompts.event_id = action_totals.prompt_event_id
    left join classifications on prompts.interaction_id = classifications.interaction_id
)

select * from final
