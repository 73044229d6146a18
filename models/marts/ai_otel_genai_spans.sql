{#
    One row per response, shaped like an OpenTelemetry GenAI client inference
    span (`chat`, semantic conventions v1.37.0), so the numbers can be set
    beside those of tools that record such spans. Columns named after a
    convention attribute hold exactly that attribute; the package's own
    attributes carry the `ai_product_analytics.` prefix (the conventions
    reserve `app.*` and every other registered namespace). Dotted names are
    quoted identifiers on every warehouse: `select "gen_ai.usage.input_tokens"`.

    A view: it only renames and reshapes what the response grain already
    holds, so it costs nothing to build or keep up to date.
#}
{{ config(materialized='view') }}
{%- set longest_span_ms = 86400000 -%}

with responses as (
    select * from {{ ref('int_responses_attributed') }}
),

llm_response_rows as (
    select * from {{ ref('stg_rudderstack__llm_responses') }}
),

-- Spec v0.1: a response row carries its own provider id, when the app sent one.
own_response_ids as (
    select
        event_id,
        response_id
    from llm_response_rows
    where not is_model_call
),

-- Spec v0.3: the id of the interaction's last successful model call, the
-- call whose model `primary_model` reports.
last_successful_calls as (
    select
        interaction_id,
        response_id
    from llm_response_rows
    where is_model_call and error_type is null
    qualify row_number() over (
        partition by interaction_id
        order by event_at desc nulls last, event_id desc
    ) = 1
),

spans as (
    select
        responses.*,
        case
            when responses.source_table = 'ai_llm_response_received'
                then own_response_ids.response_id
            else last_successful_calls.response_id
        end as provider_response_id,
        case when responses.latency_ms >= 0 then responses.latency_ms end as known_latency_ms
    from responses
    left join own_response_ids
        on responses.source_table = 'ai_llm_response_received'
        and responses.event_id = own_response_ids.event_id
    left join last_successful_calls
        on responses.source_table = 'ai_response_received'
        and responses.interaction_id = last_successful_calls.interaction_id
),

final as (
    select
        -- ids
        event_id as response_event_id,
        prompt_event_id,
        user_key,
        -- OpenTelemetry GenAI attributes
        'chat' as {{ adapter.quote('gen_ai.operation.name') }},
        provider as {{ adapter.quote('gen_ai.provider.name') }},
        provider as {{ adapter.quote('gen_ai.system') }},
        conversation_id as {{ adapter.quote('gen_ai.conversation.id') }},
        provider_response_id as {{ adapter.quote('gen_ai.response.id') }},
        model_used as {{ adapter.quote('gen_ai.response.model') }},
        {{ ai_product_analytics.json_text_array('finish_reason') }}
            as {{ adapter.quote('gen_ai.response.finish_reasons') }},
        prompt_tokens as {{ adapter.quote('gen_ai.usage.input_tokens') }},
        completion_tokens as {{ adapter.quote('gen_ai.usage.output_tokens') }},
        -- Failed responses only; `_OTHER` is the conventions' fallback class.
        case
            when response_status = 'error' then coalesce(error_type, '_OTHER')
            when response_status = 'timeout' then coalesce(error_type, 'timeout')
        end as {{ adapter.quote('error.type') }},
        -- The package's own attributes
        interaction_id as {{ adapter.quote('ai_product_analytics.interaction_id') }},
        intent as {{ adapter.quote('ai_product_analytics.intent') }},
        response_status as {{ adapter.quote('ai_product_analytics.response_status') }},
        total_tokens as {{ adapter.quote('ai_product_analytics.usage.total_tokens') }},
        cost_usd as {{ adapter.quote('ai_product_analytics.cost_usd') }},
        is_cost_derived as {{ adapter.quote('ai_product_analytics.is_cost_derived') }},
        time_to_first_token_ms
            as {{ adapter.quote('ai_product_analytics.time_to_first_token_ms') }},
        llm_call_count as {{ adapter.quote('ai_product_analytics.llm_call_count') }},
        tool_call_count as {{ adapter.quote('ai_product_analytics.tool_call_count') }},
        -- Span timing: the response event marks the end, the start is its
        -- latency earlier; a latency over a day is a unit or clock error and
        -- gives no start (nor a timestamp overflow).
        case
            when known_latency_ms <= {{ longest_span_ms }}
                then {{ dbt.dateadd(
                    'microsecond',
                    '-1 * cast(round(known_latency_ms * 1000) as ' ~ dbt.type_bigint() ~ ')',
                    'event_at') }}
        end as span_started_at,
        event_at as span_ended_at,
        known_latency_ms as span_duration_ms,
        date_day
    from spans
)

select * from final
