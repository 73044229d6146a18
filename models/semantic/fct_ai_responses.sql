{#
    One row per response (v0.1 `ai_llm_response_received` without an
    interaction id, or v0.3 `ai_response_received`), with the turn and intent
    it counts under. The response grain of the semantic layer: latency, errors
    and cost are measured here, never on prompt turns (a turn can hold several
    responses).
#}
{{ config(materialized='view') }}

with responses as (
    select * from {{ ref('int_responses_attributed') }}
),

final as (
    select
        -- ids
        event_id as response_event_id,
        prompt_event_id,
        conversation_id,
        user_key,
        -- dimensions
        intent,
        coalesce(model_used, 'unknown') as model_used,
        response_status,
        coalesce(response_status = 'error', false) as is_error,
        coalesce(response_status = 'timeout', false) as is_timeout,
        -- measures
        case when latency_ms >= 0 then latency_ms end as latency_ms,
        cost_usd,
        prompt_tokens,
        completion_tokens,
        total_tokens,
        -- timestamps
        event_at as responded_at,
        date_day
    from responses
)

select * from final
