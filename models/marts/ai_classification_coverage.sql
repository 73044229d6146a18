{#
    How every day's prompts got their intent: from the events themselves, the
    batch classifier (offline or LLM), skipped by sampling, failed, or not yet
    classified. The sampling percentage in force is shown beside it, and the
    responses whose cost the loader truncated (a cost column it typed as an
    integer), which no classification can fix but which every cost mart inherits.

    Recomputed whole when anything changed: `is_cost_truncated_by_loader` is
    one flag over all days.
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
    where prompt_date is not null
),

classified as (
    select * from {{ ref('int_prompt_intents_classified') }}
),

responses as (
    select * from {{ ref('int_responses_priced') }}
),

-- Responses whose reported cost was read from a column typed as an integer.
truncated as (
    select date_day
    from responses
    where is_cost_column_integer and reported_cost_usd is not null
),

truncated_costs as (
    select
        date_day,
        count(*) as truncated_cost_responses
    from truncated
    group by date_day
),

loader_truncation as (
    select count(*) > 0 as is_cost_truncated_by_loader
    from truncated
),

coverage as (
    select
        prompt_turns.prompt_date as date_day,
        count(*) as prompts,
        count(case when prompt_turns.intent_source = 'event' then 1 end) as from_event,
        count(case when prompt_turns.intent_source = 'interaction_classified' then 1 end)
            as from_interaction_classified,
        count(case when prompt_turns.intent_source = 'response' then 1 end) as from_response,
        count(case when prompt_turns.intent_source = 'classifier_offline' then 1 end)
            as from_classifier_offline,
        count(case when prompt_turns.intent_source = 'classifier_llm' then 1 end)
            as from_classifier_llm,
        count(case when prompt_turns.intent_source = 'not_sampled' then 1 end) as not_sampled,
        count(
            case
                when
                    prompt_turns.intent_source = 'unclassified'
                    and classified.classification_status in (
                        'classification_error', 'deferred_budget'
                    )
                    then 1
            end
        ) as classification_errors,
        count(case when prompt_turns.intent_source = 'unclassified' then 1 end) as unclassified,
        100.0 * count(
            case when prompt_turns.intent_source not in ('not_sampled', 'unclassified') then 1 end
        ) / count(*) as classified_pct,
        cast({{ var('intent_sample_pct', 100) }} as double precision) as sampling_pct
    from prompt_turns
    left join classified on prompt_turns.prompt_event_id = classified.prompt_event_id
    group by prompt_turns.prompt_date
),

final as (
    select
        coverage.*,
        coalesce(truncated_costs.truncated_cost_responses, 0) as truncated_cost_responses,
        loader_truncation.is_cost_truncated_by_loader
    from coverage
    left join truncated_costs on coverage.date_day = truncated_costs.date_day
    cross join loader_truncation
)

select * from final
{{ ai_product_analytics.unless_unchanged() }}
