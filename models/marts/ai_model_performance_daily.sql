{# Reliability and speed per UTC day and model. #}
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
        count(case when response_status = 'error' then 1 end) as errors,
        count(case when response_status = 'timeout' then 1 end) as timeouts,
        count(case when response_status = 'incomplete' then 1 end) as incompletes,
        count(case when response_status = 'cancelled' then 1 end) as cancellations,
        count(case when response_status = 'paused' then 1 end) as pauses,
        100.0 * count(case when response_status = 'error' then 1 end) / count(*) as error_rate,
        100.0 * count(case when response_status in ('error', 'timeout') then 1 end) / count(*)
            as failure_rate,
        avg(case when latency_ms >= 0 then latency_ms end) as avg_latency_ms,
        percentile_cont(0.95) within group (
            order by case when latency_ms >= 0 then latency_ms end
        ) as p95_latency_ms,
        percentile_cont(0.95) within group (
            order by case when time_to_first_token_ms >= 0 then time_to_first_token_ms end
        ) as p95_time_to_first_token_ms
    from responses
    where date_day is not null
    group by date_day, coalesce(model_used, 'unknown')
)

select * from final
