{#
    Spec v0.3 responses (`ai_response_received`, sent by RudderStack's AI
    SDKs): one row per interaction with its totals over every model call.
    Column names match stg_rudderstack__llm_responses where the meaning does,
    so the two generations union into one set of responses. The table is
    optional: without it this model is empty.
#}
{%- set relation = ai_product_analytics.source_table('ai_response_received') -%}
{%- set columns = ai_product_analytics.source_columns('ai_response_received') -%}
{%- set recoverable = [
    'latency_ms', 'time_to_first_token_ms', 'total_input_tokens', 'total_output_tokens',
    'total_tokens', 'total_cost_usd', 'llm_call_count', 'tool_call_count'
] -%}

with source as {{ ai_product_analytics.not_materialized() }} (
    {{ ai_product_analytics.select_source(relation) }}
    {{ ai_product_analytics.incremental_source_filter(columns) }}
),

discarded as (
    {{ ai_product_analytics.discarded_values('ai_response_received', recoverable, columns) }}
),

latest_deliveries as (
    {{ ai_product_analytics.deduplicate_events('source', columns) }}
),

renamed as (
    select
        {{ ai_product_analytics.standard_event_columns(columns) }},
        {{ ai_product_analytics.staged_column(columns, 'conversation_id', 'text') }} as conversation_id,
        {{ ai_product_analytics.staged_column(columns, 'interaction_id', 'text') }} as interaction_id,
        {{ ai_product_analytics.event_intent_columns(columns) }},
        {{ ai_product_analytics.v03_scope_columns(columns) }},
        {{ ai_product_analytics.staged_column(columns, 'response_status', 'enum') }} as response_status,
        {{ ai_product_analytics.staged_column(columns, 'error_type', 'text') }} as error_type,
        {{ ai_product_analytics.staged_column(columns, 'finish_reason', 'enum') }} as finish_reason,
        {{ ai_product_analytics.staged_column(columns, 'outcome', 'enum') }} as outcome,
        {{ ai_product_analytics.staged_column(columns, 'trigger', 'enum') }} as response_trigger,
        {{ ai_product_analytics.staged_column(columns, 'pause_reason', 'enum') }} as pause_reason,
        {{ ai_product_analytics.staged_column(columns, 'primary_model', 'enum') }} as model_used,
        {{ ai_product_analytics.staged_column(columns, 'primary_provider', 'enum') }} as provider,
        {{ ai_product_analytics.staged_column(columns, 'latency_ms', 'double', 'discarded.discarded_latency_ms') }} as latency_ms,
        {{ ai_product_analytics.staged_column(columns, 'time_to_first_token_ms', 'double', 'discarded.discarded_time_to_first_token_ms') }} as time_to_first_token_ms,
        {{ ai_product_analytics.staged_column(columns, 'total_input_tokens', 'bigint', 'discarded.discarded_total_input_tokens') }} as prompt_tokens,
        {{ ai_product_analytics.staged_column(columns, 'total_output_tokens', 'bigint', 'discarded.discarded_total_output_tokens') }} as completion_tokens,
        {{ ai_product_analytics.staged_column(columns, 'total_tokens', 'bigint', 'discarded.discarded_total_tokens') }} as reported_total_tokens,
        {{ ai_product_analytics.staged_column(columns, 'total_cached_input_tokens', 'bigint') }} as cached_input_tokens,
        {{ ai_product_analytics.staged_column(columns, 'total_cache_write_tokens', 'bigint') }} as cache_write_tokens,
        {{ ai_product_analytics.staged_column(columns, 'total_reasoning_tokens', 'bigint') }} as reasoning_tokens,
        {{ ai_product_analytics.staged_column(columns, 'total_cost_usd', 'double', 'discarded.discarded_total_cost_usd') }} as reported_cost_usd,
        {{ ai_product_analytics.staged_column(columns, 'llm_call_count', 'bigint', 'discarded.discarded_llm_call_count') }} as llm_call_count,
        {{ ai_product_analytics.staged_column(columns, 'tool_call_count', 'bigint', 'discarded.discarded_tool_call_count') }} as tool_call_count,
        -- JSON arrays, as text: per provider/model usage and per tool counts.
        {{ ai_product_analytics.staged_column(columns, 'usage_breakdown', 'text') }} as usage_breakdown,
        {{ ai_product_analytics.staged_column(columns, 'tool_breakdown', 'text') }} as tool_breakdown,
        -- The loader typed the cost column from a whole first value: decimals are truncated.
        {{ ai_product_analytics.is_integer_column(columns, 'total_cost_usd') }} as is_cost_column_integer,
        {{ ai_product_analytics.text_measures(columns, 'response_text', 'response') }}
    from latest_deliveries
    left join discarded
        on {{ ai_product_analytics.staged_column(columns, 'id', 'text') }} = discarded.row_id
),

staged as (
    select
        *,
        coalesce(reported_total_tokens, prompt_tokens + completion_tokens) as total_tokens
    from renamed
),

final as (
    {{ ai_product_analytics.keep_only_later_deliveries('staged') }}
)

select * from final
