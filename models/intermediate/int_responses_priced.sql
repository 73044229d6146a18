{#
    Every response (see docs/definitions.md), with its cost: the reported cost
    when the event has one, else derived from the model price seed when the
    model and both token counts are known.
#}
with llm_responses as (
    select * from {{ ref('stg_rudderstack__llm_responses') }}
),

prices as (
    select * from {{ ref('ai_model_prices') }}
),

responses as (
    select
        *,
        cast(event_at as date) as date_day
    from llm_responses
    where not is_model_call
),

priced as (
    select
        responses.*,
        prices.input_usd_per_1m,
        prices.output_usd_per_1m
    from responses
    left join prices
        on responses.model_used = lower(trim(prices.model))
        and responses.date_day >= prices.valid_from
        and (prices.valid_to is null or responses.date_day < prices.valid_to)
),

final as (
    select
        *,
        coalesce(
            reported_cost_usd,
            prompt_tokens * input_usd_per_1m / 1000000.0
            + completion_tokens * output_usd_per_1m / 1000000.0
        ) as cost_usd,
        (
            reported_cost_usd is null
            and prompt_tokens is not null
            and completion_tokens is not null
            and input_usd_per_1m is not null
        ) as is_cost_derived
    from priced
)

select * from final
