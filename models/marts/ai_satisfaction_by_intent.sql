{# Feedback per intent: ratings, thumbs and regenerations. #}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_all_if_changed() }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with actions as (
    select * from {{ ref('int_actions_attributed') }}
),

final as (
    select
        intent,
        count(*) as actions,
        count(case when is_feedback then 1 end) as feedback_events,
        count(case when is_rating then 1 end) as ratings,
        avg(case when is_rating then rating_value end) as avg_rating,
        count(case when is_thumb then 1 end) as thumbs,
        count(case when is_thumb and is_thumbs_up then 1 end) as thumbs_up,
        100.0 * count(case when is_thumb and is_thumbs_up then 1 end)
        / nullif(count(case when is_thumb then 1 end), 0) as thumbs_up_rate,
        count(case when is_regeneration then 1 end) as regenerations,
        count(case when is_copy then 1 end) as copies,
        count(case when is_share then 1 end) as shares,
        count(case when is_report then 1 end) as reports,
        count(case when is_retraction then 1 end) as retractions,
        count(case when is_acceptance then 1 end) as acceptances,
        count(case when is_rejection then 1 end) as rejections,
        count(case when is_edit then 1 end) as edits,
        count(case when is_click_through then 1 end) as click_throughs
    from actions
    group by intent
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
