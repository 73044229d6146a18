{#
    Every user action with the prompt turn it belongs to, the intent it
    counts under (as for responses), and what kind of action it is. Feedback
    later retracted (v0.3 `feedback_retracted` on the same interaction) is
    flagged and counts as no feedback at all.

    Incremental: a run redoes the actions in int_incremental_scope_resolved.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.in_event_scope('conversation_id', 'action', 'event_id', 'int_incremental_scope_resolved')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with all_actions as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__user_actions') }}
),

actions as (
    select * from all_actions
    {{ ai_product_analytics.where_events_in_scope('action', resolved=true) }}
),

links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where event_kind = 'action'
    {{ ai_product_analytics.and_in_scope("event_id in (select event_id from actions)") }}
),

prompt_intents as (
    select * from {{ ref('int_prompt_intents_resolved') }}
    {{ ai_product_analytics.where_in_scope(
        "prompt_event_id in (select prompt_event_id from links)") }}
),

taxonomy as (
    {{ ai_product_analytics.taxonomy_names() }}
),

retractions as (
    select
        interaction_id,
        max(event_at) as last_retracted_at
    from all_actions
    where action_type = 'feedback_retracted' and interaction_id is not null
    {% if ai_product_analytics.is_scoped_run() -%}
        and interaction_id in (select interaction_id from actions)
    {%- endif %}
    group by interaction_id
),

attributed as (
    select
        actions.*,
        cast(actions.event_at as date) as date_day,
        links.prompt_event_id,
        links.link_method,
        coalesce(
            prompt_intents.intent,
            {{ ai_product_analytics.first_valid_intent('actions') }},
            'unknown'
        ) as intent,
        coalesce(
            actions.action_type = 'feedback_given'
            and retractions.last_retracted_at >= actions.event_at,
            false
        ) as is_retracted
    from actions
    left join links on actions.event_id = links.event_id
    left join prompt_intents on links.prompt_event_id = prompt_intents.prompt_event_id
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
    from attributed
)

select * from final
