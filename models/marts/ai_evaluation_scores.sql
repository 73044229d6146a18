{#
    Evaluation scores (spec v0.3 `ai_interaction_scored`) per intent, what
    was evaluated and by whom. A score counts under the intent of the prompt
    of its interaction, else `unknown`. Empty when the table does not exist.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_all_if_changed() }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with scores as (
    select * from {{ ref('stg_rudderstack__interaction_scores') }}
),

prompt_turns as (
    select
        interaction_id,
        intent
    from {{ ref('fct_ai_prompt_turns') }}
    where interaction_id is not null
    qualify row_number() over (
        partition by interaction_id
        order by prompt_at desc nulls last, prompt_event_id desc
    ) = 1
),

final as (
    select
        coalesce(prompt_turns.intent, 'unknown') as intent,
        coalesce(scores.evaluation_name, 'unknown') as evaluation_name,
        coalesce(scores.evaluator, 'unknown') as evaluator,
        count(*) as scores,
        count(scores.score_value) as numeric_scores,
        avg(scores.score_value) as avg_score,
        min(scores.score_value) as min_score,
        max(scores.score_value) as max_score,
        count(scores.score_label) as labelled_scores
    from scores
    left join prompt_turns on scores.interaction_id = prompt_turns.interaction_id
    group by
        coalesce(prompt_turns.intent, 'unknown'),
        coalesce(scores.evaluation_name, 'unknown'),
        coalesce(scores.evaluator, 'unknown')
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
