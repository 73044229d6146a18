{#
    One row per user who sent at least one prompt.

    Incremental: a run redoes the users in int_incremental_scope_resolved
    (every user with an event in scope, and the user a replaced event had).
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.user_scope_condition('user_key')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
    {{ ai_product_analytics.where_in_scope(ai_product_analytics.user_scope_condition('user_key')) }}
),

final as (
    select
        user_key,
        count(distinct conversation_id) as conversations,
        count(*) as prompts,
        count(conversation_id) * 1.0 / nullif(count(distinct conversation_id), 0)
            as avg_prompts_per_conversation,
        count(distinct prompt_date) as active_days,
        cast(sum(responses) as {{ dbt.type_bigint() }}) as responses,
        sum(cost_usd) as total_cost_usd,
        min(prompt_at) as first_prompt_at,
        max(prompt_at) as last_prompt_at
    from prompt_turns
    where user_key is not null
    group by user_key
)

select * from final
