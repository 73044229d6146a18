{#
    Feedback per intent: ratings, thumbs and regenerations, from the turns'
    action counts and the actions that belong to no turn.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_all_if_changed() }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
    where actions > 0
),

actions as (
    select * from {{ ref('int_actions_attributed') }}
    where prompt_event_id is null
),

-- An action of a turn counts under the turn's intent, so the turns' own
-- action counts are summed per intent; actions outside any turn count one by
-- one under their own intent.
action_counts as (
    select
        intent,
        actions,
        feedback_events,
        rating_count as ratings,
        rating_sum,
        thumbs_up_count + thumbs_down_count as thumbs,
        thumbs_up_count as thumbs_up,
        regenerations,
        copies,
        shares,
        reports,
        retractions,
        acceptances,
        rejections,
        edits,
        click_throughs
    from prompt_turns
    union all
    select
        intent,
        1 as actions,
        case when is_feedback then 1 else 0 end as feedback_events,
        case when is_rating then 1 else 0 end as ratings,
        case when is_rating then rating_value end as rating_sum,
        case when is_thumb then 1 else 0 end as thumbs,
        case when is_thumb and is_thumbs_up then 1 else 0 end as thumbs_up,
        case when is_regeneration then 1 else 0 end as regenerations,
        case when is_copy then 1 else 0 end as copies,
        case when is_share then 1 else 0 end as shares,
        case when is_report then 1 else 0 end as reports,
        case when is_retraction then 1 else 0 end as retractions,
        case when is_acceptance then 1 else 0 end as acceptances,
        case when is_rejection then 1 else 0 end as rejections,
        case when is_edit then 1 else 0 end as edits,
        case when is_click_through then 1 else 0 end as click_throughs
    from actions
),

final as (
    select
        intent,
        cast(sum(actions) as {{ dbt.type_bigint() }}) as actions,
        cast(sum(feedback_events) as {{ dbt.type_bigint() }}) as feedback_events,
        cast(sum(ratings) as {{ dbt.type_bigint() }}) as ratings,
        sum(rating_sum) / nullif(sum(ratings), 0) as avg_rating,
        cast(sum(thumbs) as {{ dbt.type_bigint() }}) as thumbs,
        cast(sum(thumbs_up) as {{ dbt.type_bigint() }}) as thumbs_up,
        100.0 * cast(sum(thumbs_up) as {{ dbt.type_bigint() }})
        / nullif(cast(sum(thumbs) as {{ dbt.type_bigint() }}), 0) as thumbs_up_rate,
        cast(sum(regenerations) as {{ dbt.type_bigint() }}) as regenerations,
        cast(sum(copies) as {{ dbt.type_bigint() }}) as copies,
        cast(sum(shares) as {{ dbt.type_bigint() }}) as shares,
        cast(sum(reports) as {{ dbt.type_bigint() }}) as reports,
        cast(sum(retractions) as {{ dbt.type_bigint() }}) as retractions,
        cast(sum(acceptances) as {{ dbt.type_bigint() }}) as acceptances,
        cast(sum(rejections) as {{ dbt.type_bigint() }}) as rejections,
        cast(sum(edits) as {{ dbt.type_bigint() }}) as edits,
        cast(sum(click_throughs) as {{ dbt.type_bigint() }}) as click_throughs
    from action_counts
    group by intent
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
