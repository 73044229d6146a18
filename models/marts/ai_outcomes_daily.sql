{#
    How interactions end (spec v0.3 outcomes) per prompt day and intent: the
    outcome of the latest classification of the turn's interaction, else the
    outcome its response reported. Turns without an outcome are left out.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.day_scope_condition('date_day')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}

with prompt_turns as (
    select * from {{ ref('fct_ai_prompt_turns') }}
    where outcome is not null and prompt_date is not null
    {{ ai_product_analytics.and_in_scope(ai_product_analytics.day_scope_condition('prompt_date')) }}
),

final as (
    select
        prompt_date as date_day,
        intent,
        count(*) as turns_with_outcome,
        count(case when outcome = 'resolved' then 1 end) as resolved,
        count(case when outcome = 'partial' then 1 end) as partial,
        count(case when outcome = 'unresolved' then 1 end) as unresolved,
        count(case when outcome = 'escalated' then 1 end) as escalated,
        count(case when outcome = 'unclear' then 1 end) as unclear,
        100.0 * count(case when outcome = 'resolved' then 1 end) / count(*) as resolution_rate
    from prompt_turns
    group by prompt_date, intent
)

select * from final
