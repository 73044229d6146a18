-- The guide's "Satisfaction by intent". Thumbs are read from booleans and
-- `up`/`down` strings alike, including those the loader sent to
-- rudder_discards; the rate is 0-100.
select
    intent,
    avg_rating,
    thumbs_up_rate,
    ratings,
    thumbs,
    regenerations
from {{ ref('ai_satisfaction_by_intent') }}
order by intent
