{# Response latency per intent, over responses with a known, non-negative latency. #}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_all_if_changed() }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}
{#- The percentiles taken of each expression (DuckDB computes them in one pass). #}
{%- set latency_fractions = [0.50, 0.95, 0.99] %}
{%- set first_token = 'case when time_to_first_token_ms >= 0 then time_to_first_token_ms end' %}
{%- set first_token_fractions = [0.50, 0.95] %}

with links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where event_kind = 'response' and latency_ms is not null and latency_ms >= 0
),

prompt_intents as (
    select * from {{ ref('int_prompt_intents_resolved') }}
),

-- Each response's latencies with the intent it counts under (its turn's,
-- else its own valid label, else `unknown`, as in int_responses_attributed):
-- the links carry the latencies and the label, so no response is read.
responses as (
    select
        coalesce(prompt_intents.intent, links.own_intent, 'unknown') as intent,
        links.latency_ms,
        links.time_to_first_token_ms
    from links
    left join prompt_intents on links.prompt_event_id = prompt_intents.prompt_event_id
),

final as (
    select
        intent,
        count(*) as responses,
        avg(latency_ms) as avg_latency_ms,
        {{ ai_product_analytics.percentile_cont('latency_ms', 0.50, latency_fractions) }}
            as p50_latency_ms,
        {{ ai_product_analytics.percentile_cont('latency_ms', 0.95, latency_fractions) }}
            as p95_latency_ms,
        {{ ai_product_analytics.percentile_cont('latency_ms', 0.99, latency_fractions) }}
            as p99_latency_ms,
        count(case when time_to_first_token_ms >= 0 then 1 end)
            as responses_with_time_to_first_token,
        {{ ai_product_analytics.percentile_cont(first_token, 0.50, first_token_fractions) }}
            as p50_time_to_first_token_ms,
        {{ ai_product_analytics.percentile_cont(first_token, 0.95, first_token_fractions) }}
            as p95_time_to_first_token_ms,
        min(latency_ms) as min_latency_ms,
        max(latency_ms) as max_latency_ms
    from responses
    group by intent
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
