-- The guide's "Cost analysis" per day. The mart is per day and model, so sum
-- the models; derived_cost_usd shows how much came from the price seed.
select
    date_day as day,
    sum(total_cost_usd) as total_cost,
    sum(total_tokens) as total_tokens,
    sum(derived_cost_usd) as derived_cost
from {{ ref('ai_cost_daily') }}
group by date_day
order by date_day
