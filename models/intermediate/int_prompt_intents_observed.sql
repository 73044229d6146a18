{#
    The intent the events themselves give every prompt, steps 1-3 of the
    precedence in docs/definitions.md: the prompt event's own label, then the
    latest valid classification of its interaction (v0.3), then the earliest
    valid label on a response of its turn. NULL when none applies: those
    prompts go to the batch classifier.

    Incremental: a run redoes the prompts in int_incremental_scope.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.prompt_scope_condition('prompt_event_id', 'int_incremental_scope')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope') }}

with prompts as (
    select * from {{ ref('stg_rudderstack__prompts') }}
    {{ ai_product_analytics.where_events_in_scope('prompt') }}
),

taxonomy as (
    {{ ai_product_analytics.taxonomy_names() }}
),

classifications as (
    select * from {{ ref('int_interaction_classifications_latest') }}
),

prompt_labels as {{ ai_product_analytics.not_materialized(in_scope=true) }} (
    select
        prompts.event_id,
        prompts.interaction_id,
        {{ ai_product_analytics.first_valid_intent('prompts') }} as intent
    from prompts
),

links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where
        event_kind = 'response'
        and own_intent is not null
        -- Response labels count only for prompts without a label of their own
        -- (of the prompts in scope, on a scoped run: prompt_labels reads `prompts`).
        and prompt_event_id in (
            select unlabelled.event_id
            from prompt_labels as unlabelled
            where unlabelled.intent is null
        )
),

first_response_intents as (
    select
        prompt_event_id,
        own_intent as intent
    from links
    qualify row_number() over (
        partition by prompt_event_id
        order by event_at, event_id
    ) = 1
),

final as (
    select
        prompt_labels.event_id as prompt_event_id,
        coalesce(
            prompt_labels.intent, classifications.intent, first_response_intents.intent
        ) as observed_intent,
        case
            when prompt_labels.intent is not null then 'event'
            when classifications.intent is not null then 'interaction_classified'
            when first_response_intents.intent is not null then 'response'
        end as observed_intent_source
    from prompt_labels
    left join classifications
        on prompt_labels.interaction_id = classifications.interaction_id
    left join first_response_intents
        on prompt_labels.event_id = first_response_intents.prompt_event_id
)

select * from final
