{#
    The intent of every prompt, by the full precedence in
    docs/definitions.md: what the events say (int_prompt_intents_observed),
    then the batch classifier's label, then `not_sampled` for prompts the
    sample skipped, else `unclassified` (not classified yet, no text, or the
    classifier failed and will retry next run).

    Incremental: a run redoes the prompts in int_incremental_scope_resolved.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.prompt_scope_condition('prompt_event_id')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}
-- depends_on: {{ ref('stg_rudderstack__prompts') }}

with observed as (
    select * from {{ ref('int_prompt_intents_observed') }}
    {{ ai_product_analytics.where_in_scope(
        ai_product_analytics.prompt_scope_condition('prompt_event_id')) }}
),

to_classify as (
    select * from {{ ref('int_prompts_to_classify') }}
),

classified as (
    select * from {{ ref('int_prompt_intents_classified') }}
    where classification_status = 'classified'
),

taxonomy as (
    {{ ai_product_analytics.taxonomy_names() }}
),

final as (
    select
        observed.prompt_event_id,
        case
            when observed.observed_intent is not null then observed.observed_intent
            when taxonomy.intent_name is not null then taxonomy.intent_name
            when not coalesce(to_classify.is_sampled, true) then 'not_sampled'
            else 'unclassified'
        end as intent,
        case
            when observed.observed_intent is not null then observed.observed_intent_source
            when taxonomy.intent_name is not null then 'classifier_' || classified.classifier
            when not coalesce(to_classify.is_sampled, true) then 'not_sampled'
            else 'unclassified'
        end as intent_source,
        classified.confidence as classifier_confidence,
        classified.classifier_version
    from observed
    left join to_classify on observed.prompt_event_id = to_classify.prompt_event_id
    left join classified on observed.prompt_event_id = classified.prompt_event_id
    left join taxonomy on classified.intent = taxonomy.intent_name
)

select * from final
