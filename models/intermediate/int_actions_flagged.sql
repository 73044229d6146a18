{#
    Every user action with what kind of action it is. Feedback later
    retracted (v0.3 `feedback_retracted` on the same interaction) is flagged
    and counts as no feedback at all: no rating, no thumb.

    A view over staging: marts that count actions without their turn or
    intent read it; int_actions_attributed adds those.
#}
{{ config(materialized='view') }}

with actions as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__user_actions') }}
),

retractions as (
    select
        interaction_id,
        max(event_at) as last_retracted_at
    from actions
    where action_type = 'feedback_retracted' and interaction_id is not null
    group by interaction_id
),

retraction_checked as (
    select
        actions.*,
        cast(actions.event_at as date) as date_day,
        coalesce(
            actions.action_type = 'feedback_given'
            and retractions.last_retracted_at >= actions.event_at,
            false
        ) as is_retracted
    from actions
    left join retractions on actions.interaction_id = retractions.interaction_id
),

final as (
    select
        *,
        coalesce(action_type = 'feedback_given' and not is_retracted, false) as is_feedback,
        coalesce(feedback_type = 'rating' and rating_value is not null and not is_retracted, false)
            as is_rating,
        coalesce(feedback_type = 'thumbs' and is_thumbs_up is not null and not is_retracted, false)
            as is_thumb,
        coalesce(action_type = 'feedback_retracted', false) as is_retraction,
        coalesce(action_type = 'regenerated', false) as is_regeneration,
        coalesce(action_type = 'copied_response', false) as is_copy,
        coalesce(action_type = 'shared', false) as is_share,
        coalesce(action_type = 'reported', false) as is_report,
        coalesce(action_type = 'accepted', false) as is_acceptance,
        coalesce(action_type = 'rejected', false) as is_rejection,
        coalesce(action_type = 'edited', false) as is_edit,
        coalesce(action_type = 'clicked_through', false) as is_click_through
    from retraction_checked
)

select * from final
