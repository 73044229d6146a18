{#
    Spec v0.3 `ai_interaction_classified`: the intent and outcome a
    classifier gave an interaction after its answer. Optional table. The
    free-text `intent_summary` stays in the source.
#}
{%- set relation = ai_product_analytics.source_table('ai_interaction_classified') -%}
{%- set columns = ai_product_analytics.source_columns('ai_interaction_classified') -%}

with source as {{ ai_product_analytics.not_materialized() }} (
    {{ ai_product_analytics.select_source(relation) }}
    {{ ai_product_analytics.incremental_source_filter(columns) }}
),

latest_deliveries as (
    {{ ai_product_analytics.deduplicate_events('source', columns) }}
),

renamed as (
    select
        {{ ai_product_analytics.standard_event_columns(columns) }},
        {{ ai_product_analytics.staged_column(columns, 'conversation_id', 'text') }} as conversation_id,
        {{ ai_product_analytics.staged_column(columns, 'interaction_id', 'text') }} as interaction_id,
        {{ ai_product_analytics.staged_column(columns, 'intent', 'enum') }} as classified_intent,
        {{ ai_product_analytics.staged_column(columns, 'outcome', 'enum') }} as outcome,
        {{ ai_product_analytics.staged_column(columns, 'classifier', 'text') }} as classifier,
        {{ ai_product_analytics.text_measures(columns, 'intent_summary', 'intent_summary') }}
    from latest_deliveries
),

final as (
    {{ ai_product_analytics.keep_only_later_deliveries('renamed') }}
)

select * from final
