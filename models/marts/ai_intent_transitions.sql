{#
    How users move between intents: pairs of consecutive prompts of a
    conversation, counted per (from, to) intent, over the pairs in
    fct_ai_intent_transitions.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_all_if_changed() }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with transitions as (
    select * from {{ ref('fct_ai_intent_transitions') }}
),

final as (
    select
        from_intent,
        to_intent,
        count(*) as transitions
    from transitions
    group by from_intent, to_intent
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
