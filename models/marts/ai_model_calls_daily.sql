{#
    Model calls per UTC day and model (spec v0.3). An interaction's calls
    come from its per-call `ai_llm_response_received` rows when the app sent
    them, else from the `usage_breakdown` of its `ai_response_received`.
    Never both, so a call is never counted twice.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.day_scope_condition('date_day')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}
with all_model_calls as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__llm_responses') }}
    where is_model_call
),

model_calls as (
    select * from all_model_calls
    {{ ai_product_analytics.where_day_in_scope('cast(event_at as date)') }}
),

responses as (
    select * from {{ ref('int_responses_priced') }}
    where source_table = 'ai_response_received'
    {{ ai_product_analytics.and_in_scope(ai_product_analytics.day_scope_condition('date_day')) }}
),

interactions_with_calls as (
    select distinct interaction_id from all_model_calls
),

calls_from_events as (
    select
        cast(event_at as date) as date_day,
        model_used,
        1 as calls,
        case when error_type is not null then 1 else 0 end as errors,
        prompt_tokens,
        completion_tokens,
        total_tokens,
        reported_cost_usd as cost_usd,
        1 as is_from_events
    from model_calls
),

breakdown_entries as (
    select
        responses.date_day,
        nullif(lower(trim({{ ai_product_analytics.json_element_text('entry', 'model') }})), '')
            as model_used,
        coalesce({{ ai_product_analytics.try_cast(
            ai_product_analytics.json_element_text('entry', 'call_count'), dbt.type_bigint()
        ) }}, 0) as calls,
        coalesce({{ ai_product_analytics.try_cast(
            ai_product_analytics.json_element_text('entry', 'error_count'), dbt.type_bigint()
        ) }}, 0) as errors,
        {{ ai_product_analytics.try_cast(
            ai_product_analytics.json_element_text('entry', 'input_tokens'), dbt.type_bigint()
        ) }} as prompt_tokens,
        {{ ai_product_analytics.try_cast(
            ai_product_analytics.json_element_text('entry', 'output_tokens'), dbt.type_bigint()
        ) }} as completion_tokens,
        {{ ai_product_analytics.try_cast(
            ai_product_analytics.json_element_text('entry', 'cost_usd'), 'double precision'
        ) }} as cost_usd
    from responses
    {{ ai_product_analytics.json_array_elements('responses.usage_breakdown', 'entry') }}
    where
        responses.interaction_id is null
        or responses.interaction_id not in (
            select interactions_with_calls.interaction_id from interactions_with_calls
        )
),

calls_from_breakdown as (
    select
        date_day,
        model_used,
        calls,
        errors,
        prompt_tokens,
        completion_tokens,
        prompt_tokens + completion_tokens as total_tokens,
        cost_usd,
        0 as is_from_events
    from breakdown_entries
),

all_calls as (
    select * from calls_from_events
    union all
    select * from calls_from_breakdown
),

final as (
    select
        date_day,
        coalesce(model_used, 'unknown') as model_used,
        cast(sum(calls) as {{ dbt.type_bigint() }}) as calls,
        cast(sum(errors) as {{ dbt.type_bigint() }}) as errors,
        cast(sum(prompt_tokens) as {{ dbt.type_bigint() }}) as prompt_tokens,
        cast(sum(completion_tokens) as {{ dbt.type_bigint() }}) as completion_tokens,
        cast(sum(total_tokens) as {{ dbt.type_bigint() }}) as total_tokens,
        sum(cost_usd) as cost_usd,
        cast(sum(case when is_from_events = 1 then calls else 0 end) as {{ dbt.type_bigint() }})
            as calls_from_events,
        cast(sum(case when is_from_events = 0 then calls else 0 end) as {{ dbt.type_bigint() }})
            as calls_from_breakdown
    from all_calls
    where date_day is not null
    group by date_day, coalesce(model_used, 'unknown')
)

select * from final
