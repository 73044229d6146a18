{# Tokens and cost per UTC day and model. #}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.day_scope_condition('date_day')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with responses as (
    select * from {{ ref('int_responses_priced') }}
    {{ ai_product_analytics.where_day_in_scope('date_day') }}
),

final as (
    select
        date_day,
        coalesce(model_used, 'unknown') as model_used,
        count(*) as responses,
        count(distinct conversation_id) as conversations,
        sum(cost_usd) as total_cost_usd,
        sum(case when is_cost_derived then cost_usd end) as derived_cost_usd,
        count(case when is_cost_derived then 1 end) as responses_with_derived_cost,
        count(case when cost_usd is null then 1 end) as responses_without_cost,
        cast(sum(prompt_tokens) as {{ dbt.type_bigint() }}) as prompt_tokens,
        cast(sum(completion_tokens) as {{ dbt.type_bigint() }}) as completion_tokens,
        cast(sum(total_tokens) as {{ dbt.type_bigint() }}) as total_tokens,
        sum(cost_usd) / nullif(count(distinct conversation_id), 0) as cost_per_conversation_usd
    from responses
    where date_day is not null
    group by date_day, coalesce(model_used, 'unknown')
)

select * from final
