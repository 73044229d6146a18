{%- set relation = ai_product_analytics.source_table('ai_user_prompt_created') -%}
{%- set columns = ai_product_analytics.source_columns('ai_user_prompt_created') -%}

with source as {{ ai_product_analytics.not_materialized() }} (
    {{ ai_product_analytics.select_source(relation) }}
    {{ ai_product_analytics.incremental_source_filter(columns) }}
),

discarded as (
    {{ ai_product_analytics.discarded_values('ai_user_prompt_created', ['prompt_number', 'attachment_count'], columns) }}
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
        {{ ai_product_analytics.staged_column(columns, 'input_method', 'enum') }} as input_method,
        {{ ai_product_analytics.staged_column(columns, 'parent_interaction_id', 'text') }} as parent_interaction_id,
        {{ ai_product_analytics.staged_column(columns, 'prompt_number', 'bigint', 'discarded.discarded_prompt_number') }} as prompt_number,
        {{ ai_product_analytics.staged_column(columns, 'attachment_count', 'bigint', 'discarded.discarded_attachment_count') }} as attachment_count,
        {{ ai_product_analytics.text_measures(columns, 'prompt_text', 'prompt') }}
    from latest_deliveries
    left join discarded
        on {{ ai_product_analytics.staged_column(columns, 'id', 'text') }} = discarded.row_id
),

final as (
    {{ ai_product_analytics.keep_only_later_deliveries('renamed') }}
)

select * from final
