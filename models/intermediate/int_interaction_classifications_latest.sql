{#
    Per interaction (spec v0.3), what its latest classifications say: the
    intent of the latest `ai_interaction_classified` whose intent is in the
    taxonomy, and the outcome of the latest one that has an outcome.
#}
with classifications as (
    select * from {{ ref('stg_rudderstack__interaction_classifications') }}
    where interaction_id is not null
),

taxonomy as (
    {{ ai_product_analytics.taxonomy_names() }}
),

latest_valid_intents as (
    select
        interaction_id,
        classified_intent as intent
    from classifications
    where classified_intent in (select taxonomy.intent_name from taxonomy)
    qualify row_number() over (
        partition by interaction_id
        order by event_at desc nulls last, event_id desc
    ) = 1
),

latest_outcomes as (
    select
        interaction_id,
        outcome
    from classifications
    where outcome is not null
    qualify row_number() over (
        partition by interaction_id
        order by event_at desc nulls last, event_id desc
    ) = 1
),

interactions as (
    select distinct interaction_id from classifications
),

final as (
    select
        interactions.interaction_id,
        latest_valid_intents.intent,
        latest_outcomes.outcome
    from interactions
    left join latest_valid_intents
        on interactions.interaction_id = latest_valid_intents.interaction_id
    left join latest_outcomes on interactions.interaction_id = latest_outcomes.interaction_id
)

select * from final
