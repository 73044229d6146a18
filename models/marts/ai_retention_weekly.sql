{#
    Weekly retention by cohort: users grouped by the week (Monday) of their
    first prompt, and how many of them prompted again N weeks later. Every
    cohort has a row for each week up to the last week with any prompt,
    zeros included.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_all_if_changed() }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with recursive prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
    where user_key is not null and prompt_date is not null
),

user_weeks as (
    select distinct
        user_key,
        cast({{ dbt.date_trunc('week', 'prompt_date') }} as date) as activity_week
    from prompt_turns
),

cohorts as (
    select
        user_key,
        min(activity_week) as cohort_week
    from user_weeks
    group by user_key
),

cohort_sizes as (
    select
        cohort_week,
        count(*) as cohort_users
    from cohorts
    group by cohort_week
),

-- Every Monday from the first to the last week with a prompt.
weeks (week_start, last_week) as (
    select
        min(activity_week),
        max(activity_week)
    from user_weeks
    having count(*) > 0
    union all
    select
        cast({{ dbt.dateadd('day', 7, 'week_start') }} as date),
        last_week
    from weeks
    where week_start < last_week
),

cohort_weeks as (
    select
        cohort_sizes.cohort_week,
        cohort_sizes.cohort_users,
        weeks.week_start as activity_week
    from cohort_sizes
    inner join weeks on cohort_sizes.cohort_week <= weeks.week_start
),

activity as (
    select
        cohorts.cohort_week,
        user_weeks.activity_week,
        count(*) as active_users
    from user_weeks
    inner join cohorts on user_weeks.user_key = cohorts.user_key
    group by cohorts.cohort_week, user_weeks.activity_week
),

final as (
    select
        cohort_weeks.cohort_week,
        cast(
            {{ dbt.datediff('cohort_weeks.cohort_week', 'cohort_weeks.activity_week', 'day') }}
            / 7 as integer
        ) as weeks_since_first,
        cohort_weeks.cohort_users,
        coalesce(activity.active_users, 0) as active_users,
        100.0 * coalesce(activity.active_users, 0) / cohort_weeks.cohort_users as retention_pct
    from cohort_weeks
    left join activity
        on cohort_weeks.cohort_week = activity.cohort_week
        and cohort_weeks.activity_week = activity.activity_week
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
