{# One row per UTC day with a prompt or a response. #}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.day_scope_condition('date_day')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
    {{ ai_product_analytics.where_day_in_scope('prompt_date') }}
),

responses as (
    select * from {{ ref('int_responses_priced') }}
    {{ ai_product_analytics.where_day_in_scope('date_day') }}
),

prompt_days as (
    select
        prompt_date as date_day,
        count(distinct user_key) as active_users,
        count(distinct conversation_id) as conversations,
        count(*) as prompts
    from prompt_turns
    where prompt_date is not null
    group by prompt_date
),

response_days as (
    select
        date_day,
        count(*) as responses
    from responses
    where date_day is not null
    group by date_day
),

final as (
    select
        coalesce(prompt_days.date_day, response_days.date_day) as date_day,
        coalesce(prompt_days.active_users, 0) as active_users,
        coalesce(prompt_days.conversations, 0) as conversations,
        coalesce(prompt_days.prompts, 0) as prompts,
        coalesce(response_days.responses, 0) as responses
    from prompt_days
    full outer join response_days on prompt_days.date_day = response_days.date_day
)

select * from final
