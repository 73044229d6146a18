{#
    Rows of `ai_llm_response_received`. In spec v0.1 each row is a response;
    in spec v0.3 (rows with an interaction_id) each row is one model call
    inside an interaction, a breakdown that is never counted as a response.
    Both spellings of each measure are read (v0.1 `token_count_*`, `cost`,
    `model_used`; v0.3 `input_tokens`, `cost_usd`, `model`).
#}
{%- set relation = ai_product_analytics.source_table('ai_llm_response_received') -%}
{%- set columns = ai_product_analytics.source_columns('ai_llm_response_received') -%}
{%- set recoverable = [
    'latency_ms', 'token_count_prompt_tokens', 'token_count_completion_tokens',
    'token_count_total_tokens', 'cost', 'input_tokens', 'output_tokens',
    'total_tokens', 'cost_usd'
] -%}

with source as {{ ai_product_analytics.not_materialized() }} (
    {{ ai_product_analytics.select_source(relation) }}
    {{ ai_product_analytics.incremental_source_filter(columns) }}
),

discarded as (
    {{ ai_product_analytics.discarded_values('ai_llm_response_received', recoverable, columns) }}
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
        {{ ai_product_analytics.staged_column(columns, 'response_status', 'enum') }} as response_status,
        {{ ai_product_analytics.staged_column(columns, 'error_type', 'text') }} as error_type,
        {{ ai_product_analytics.staged_column(columns, 'finish_reason', 'enum') }} as finish_reason,
        coalesce(
            {{ ai_product_analytics.staged_column(columns, 'model_used', 'enum') }},
            {{ ai_product_analytics.staged_column(columns, 'model', 'enum') }}
        ) as model_used,
        {{ ai_product_analytics.staged_column(columns, 'provider', 'enum') }} as provider,
        {{ ai_product_analytics.staged_column(columns, 'agent_name', 'text') }} as agent_name,
        -- The provider's id of the completion (`chatcmpl-…`, `msg_…`), when sent.
        {{ ai_product_analytics.staged_column(columns, 'response_id', 'text') }} as response_id,
        {{ ai_product_analytics.staged_column(columns, 'latency_ms', 'double', 'discarded.discarded_latency_ms') }} as latency_ms,
        coalesce(
            {{ ai_product_analytics.staged_column(columns, 'token_count_prompt_tokens', 'bigint', 'discarded.discarded_token_count_prompt_tokens') }},
            {{ ai_product_analytics.staged_column(columns, 'input_tokens', 'bigint', 'discarded.discarded_input_tokens') }}
        ) as prompt_tokens,
        coalesce(
            {{ ai_product_analytics.staged_column(columns, 'token_count_completion_tokens', 'bigint', 'discarded.discarded_token_count_completion_tokens') }},
            {{ ai_product_analytics.staged_column(columns, 'output_tokens', 'bigint', 'discarded.discarded_output_tokens') }}
        ) as completion_tokens,
        coalesce(
            {{ ai_product_analytics.staged_column(columns, 'token_count_total_tokens', 'bigint', 'discarded.discarded_token_count_total_tokens') }},
            {{ ai_product_analytics.staged_column(columns, 'total_tokens', 'bigint', 'discarded.discarded_total_tokens') }}
        ) as reported_total_tokens,
        {{ ai_product_analytics.staged_column(columns, 'cached_input_tokens', 'bigint') }} as cached_input_tokens,
        {{ ai_product_analytics.staged_column(columns, 'reasoning_tokens', 'bigint') }} as reasoning_tokens,
        coalesce(
            {{ ai_product_analytics.staged_column(columns, 'cost', 'double', 'discarded.discarded_cost') }},
            {{ ai_product_analytics.staged_column(columns, 'cost_usd', 'double', 'discarded.discarded_cost_usd') }}
        ) as reported_cost_usd,
        {{ ai_product_analytics.text_measures(columns, 'response_text', 'response') }},
        {{ ai_product_analytics.text_measures(columns, 'error_message', 'error_message') }}
    from latest_deliveries
    left join discarded
        on {{ ai_product_analytics.staged_column(columns, 'id', 'text') }} = discarded.row_id
),

staged as (
    select
        *,
        coalesce(reported_total_tokens, prompt_tokens + completion_tokens) as total_tokens,
        -- v0.3 rows carry the interaction they belong to: a model call, not a response.
        (interaction_id is not null) as is_model_call,
        -- The loader typed the row's cost column (a response's `cost`, a model
        -- call's `cost_usd`) from a whole first value: its decimals are truncated.
        case
            when interaction_id is not null
                then {{ ai_product_analytics.is_integer_column(columns, 'cost_usd') }}
            else {{ ai_product_analytics.is_integer_column(columns, 'cost') }}
        end as is_cost_column_integer
    from renamed
),

final as (
    {{ ai_product_analytics.keep_only_later_deliveries('staged') }}
)

select * from final
