{#
    Every response, of both spec generations: v0.1 rows of
    `ai_llm_response_received` (those without an interaction id; v0.3 rows
    there are model calls, never responses) and v0.3 `ai_response_received`
    rows with their totals. Cost is the reported cost, else derived from the
    model price seed when the model and both token counts are known.

    A view: the rows are staging's, and the price is one small join, so
    storing a third copy of every response cost more than computing it where
    it is read (int_responses_attributed stores the result). Readers that do
    not need the price pay almost nothing for it.
#}
{%- set shared_columns = [
    'event_id', 'anonymous_id', 'user_id', 'user_key', 'channel', 'library_name',
    'library_version', 'session_id', 'is_session_start', 'spec_version', 'event_at',
    'sent_at', 'received_at', 'loaded_at', 'conversation_id', 'interaction_id',
    'event_classified_intent', 'event_intent', 'response_status', 'error_type',
    'finish_reason', 'model_used', 'provider', 'latency_ms', 'prompt_tokens',
    'completion_tokens', 'total_tokens', 'cached_input_tokens', 'reasoning_tokens',
    'reported_cost_usd', 'is_cost_column_integer', 'response_length_chars', 'has_response_text',
    'staged_at', 'replaced_conversation_id', 'replaced_event_at', 'replaced_user_key',
    'replaced_session_id', 'is_unchanged_redelivery'
] -%}
{{ config(materialized='view') }}

with llm_responses as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__llm_responses') }}
    where not is_model_call
),

interaction_responses as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__interaction_responses') }}
),

prices as (
    select * from {{ ref('ai_model_prices') }}
),

responses as {{ ai_product_analytics.not_materialized() }} (
    select
        {{ shared_columns | join(', ') }},
        cast(null as double precision) as time_to_first_token_ms,
        cast(null as {{ dbt.type_bigint() }}) as llm_call_count,
        cast(null as {{ dbt.type_bigint() }}) as tool_call_count,
        cast(null as {{ dbt.type_string() }}) as outcome,
        cast(null as {{ dbt.type_string() }}) as usage_breakdown,
        'ai_llm_response_received' as source_table
    from llm_responses
    union all
    select
        {{ shared_columns | join(', ') }},
        time_to_first_token_ms,
        llm_call_count,
        tool_call_count,
        outcome,
        usage_breakdown,
        'ai_response_received' as source_table
    from interaction_responses
),

dated as {{ ai_product_analytics.not_materialized() }} (
    select
        *,
        cast(event_at as date) as date_day
    from responses
),

-- A price applies to its model and to dated snapshots of it
-- (`gpt-4.1-mini-2025-04-14`, `claude-3-5-sonnet-20241022`), on the days it was valid.
-- It depends only on the model and the day, so it is matched once per pair.
model_days as (
    select distinct
        model_used,
        date_day
    from dated
    where reported_cost_usd is null and model_used is not null
),

price_matches as (
    select
        model_days.model_used,
        model_days.date_day,
        prices.input_usd_per_1m,
        prices.output_usd_per_1m
    from model_days
    inner join prices
        on model_days.date_day >= prices.valid_from
        and (prices.valid_to is null or model_days.date_day < prices.valid_to)
        and (
            model_days.model_used = lower(trim(prices.model))
            or (
                model_days.model_used like lower(trim(prices.model)) || '-%'
                and {{ ai_product_analytics.regex_full_match(
                    dbt.right('model_days.model_used', dbt.length('model_days.model_used') ~ ' - ' ~ dbt.length('trim(prices.model)') ~ ' - 1'),
                    '[0-9]{4}-?[0-9]{2}-?[0-9]{2}') }}
            )
        )
    qualify row_number() over (
        partition by model_days.model_used, model_days.date_day
        order by
            case when model_days.model_used = lower(trim(prices.model)) then 0 else 1 end,
            length(prices.model) desc,
            prices.valid_from desc
    ) = 1
),

priced as (
    select
        dated.*,
        price_matches.input_usd_per_1m,
        price_matches.output_usd_per_1m
    from dated
    left join price_matches
        on dated.model_used = price_matches.model_used
        and dated.date_day = price_matches.date_day
        and dated.reported_cost_usd is null
),

final as (
    select
        *,
        coalesce(
            reported_cost_usd,
            prompt_tokens * input_usd_per_1m / 1000000.0
            + completion_tokens * output_usd_per_1m / 1000000.0
        ) as cost_usd,
        (
            reported_cost_usd is null
            and prompt_tokens is not null
            and completion_tokens is not null
            and input_usd_per_1m is not null
        ) as is_cost_derived
    from priced
)

select * from final
