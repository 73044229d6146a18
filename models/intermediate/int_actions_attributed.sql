{#
    Every user action with the prompt turn it belongs to, the intent it
    counts under (as for responses), and what kind of feedback it is.
#}
with actions as (
    select * from {{ ref('stg_rudderstack__user_actions') }}
),

links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where event_kind = 'action'
),

prompt_intents as (
    select * from {{ ref('int_prompt_intents_resolved') }}
),

taxonomy as (
    select distinct lower(trim(intent_name)) as intent_name
    from {{ ref('ai_intent_taxonomy') }}
),

attributed as (
    select
        actions.*,
        cast(actions.event_at as date) as date_day,
        links.prompt_event_id,
        coalesce(prompt_intents.intent, taxonomy.intent_name, 'unknown') as intent
    from actions
    left join links on actions.event_id = links.event_id
    left join prompt_intents on links.prompt_event_id = prompt_intents.prompt_event_id
    left join taxonomy on actions.event_intent = taxonomy.intent_name
),

final as (
    select
        *,
        coalesce(action_type = 'feedback_given', false) as is_feedback,
        coalesce(feedback_type = 'rating' and rating_value is not null, false) as is_rating,
        coalesce(feedback_type = 'thumbs' and is_thumbs_up is not null, false) as is_thumb,
        coalesce(action_type = 'regenerated', false) as is_regeneration,
        coalesce(action_type = 'copied_response', false) as is_copy,
        coalesce(action_type = 'shared', false) as is_share,
        coalesce(action_type = 'reported', false) as is_report
    from attributed
)

select * from final
