-- The guide's "Average latency by intent", with the percentiles the mart adds.
select
    intent,
    avg_latency_ms as avg_latency,
    p95_latency_ms as p95_latency,
    responses
from {{ ref('ai_latency_by_intent') }}
order by p95_latency_ms desc
