{# Prompts per resolved intent, and each intent's share of all prompts. #}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_all_if_changed() }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
),

counts as (
    select
        intent,
        count(*) as prompts
    from prompt_turns
    group by intent
),

final as (
    select
        intent,
        prompts,
        100.0 * prompts / sum(prompts) over () as pct_of_prompts
    from counts
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
