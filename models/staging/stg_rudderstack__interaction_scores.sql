{#
    Spec v0.3 `ai_interaction_scored`: one evaluation score of an
    interaction (an LLM judge, a code check or a human review). Optional
    table. The free-text `explanation` stays in the source.
#}
{%- set relation = ai_product_analytics.source_table('ai_interaction_scored') -%}
{%- set columns = ai_product_analytics.source_columns('ai_interaction_scored') -%}

with source as {{ ai_product_analytics.not_materialized() }} (
    {{ ai_product_analytics.select_source(relation) }}
    {{ ai_product_analytics.incremental_source_filter(columns) }}
),

discarded as (
    {{ ai_product_analytics.discarded_values('ai_interaction_scored', ['score_value'], columns) }}
),

latest_deliveries as (
    {{ ai_product_analytics.deduplicate_events('source', columns) }}
),

renamed as (
    select
        {{ ai_product_analytics.standard_event_columns(columns) }},
        {{ ai_product_analytics.staged_column(columns, 'conversation_id', 'text') }} as conversation_id,
        {{ ai_product_analytics.staged_column(columns, 'interaction_id', 'text') }} as interaction_id,
        {{ ai_product_analytics.staged_column(columns, 'evaluation_name', 'enum') }} as evaluation_name,
        {{ ai_product_analytics.staged_column(columns, 'evaluator', 'enum') }} as evaluator,
        {{ ai_product_analytics.staged_column(columns, 'score_value', 'double', 'discarded.discarded_score_value') }} as score_value,
        {{ ai_product_analytics.staged_column(columns, 'score_label', 'enum') }} as score_label,
        {{ ai_product_analytics.staged_column(columns, 'sampled', 'boolean') }} as is_sampled,
        {{ ai_product_analytics.text_measures(columns, 'explanation', 'explanation') }}
    from latest_deliveries
    left join discarded
        on {{ ai_product_analytics.staged_column(columns, 'id', 'text') }} = discarded.row_id
),

final as (
    {{ ai_product_analytics.keep_only_later_deliveries('renamed') }}
)

select * from final
