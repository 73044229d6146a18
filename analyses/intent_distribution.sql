-- The guide's "Intent distribution": the mart already holds the count and
-- the percentage, over resolved intents (event label, response label,
-- batch classifier; see docs/definitions.md).
select
    intent,
    prompts as count,
    pct_of_prompts as percentage
from {{ ref('ai_intent_distribution') }}
order by prompts desc
