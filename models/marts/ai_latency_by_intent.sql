{# Response latency per intent, over responses with a known, non-negative latency. #}
with responses as (
    select * from {{ ref('int_responses_attributed') }}
    where latency_ms is not null and latency_ms >= 0
),

final as (
    select
        intent,
        count(*) as responses,
        avg(latency_ms) as avg_latency_ms,
        percentile_cont(0.50) within group (order by latency_ms) as p50_latency_ms,
        percentile_cont(0.95) within group (order by latency_ms) as p95_latency_ms,
        percentile_cont(0.99) within group (order by latency_ms) as p99_latency_ms,
        min(latency_ms) as min_latency_ms,
        max(latency_ms) as max_latency_ms
    from responses
    group by intent
)

select * from final
