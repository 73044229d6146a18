{#
    One row per user action (feedback, regeneration, copy…), with the turn,
    intent and model it counts under. The action grain of the semantic layer:
    ratings and thumbs are measured here, so that actions outside any prompt
    turn count too (as in `ai_satisfaction_by_intent`).
#}
{{ config(materialized='view') }}

with actions as (
    select * from {{ ref('int_actions_attributed') }}
),

prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
),

final as (
    select
        -- ids
        actions.event_id as action_event_id,
        actions.prompt_event_id,
        actions.conversation_id,
        actions.user_key,
        -- dimensions
        actions.intent,
        coalesce(prompt_turns.model_used, 'unknown') as model_used,
        actions.action_type,
        actions.feedback_type,
        -- flags
        actions.is_feedback,
        actions.is_rating,
        actions.is_thumb,
        case when actions.is_thumb then actions.is_thumbs_up end as is_thumbs_up,
        actions.is_regeneration,
        -- measures
        case when actions.is_rating then actions.rating_value end as rating_value,
        -- timestamps
        actions.event_at as acted_at,
        actions.date_day
    from actions
    left join prompt_turns on actions.prompt_event_id = prompt_turns.prompt_event_id
)

select * from final
