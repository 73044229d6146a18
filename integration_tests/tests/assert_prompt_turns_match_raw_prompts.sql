-- One turn per distinct prompt id of the renamed raw table
-- (product_events.chat_prompt_created), duplicates and redeliveries
-- removed; one response per distinct id of chat_response_received (v0.3
-- responses; the per-call rows of chat_model_call are never responses).
with expected as (
    select
        (select count(distinct id) from product_events.chat_prompt_created where id is not null)
            as prompts,
        (select count(distinct id) from product_events.chat_response_received where id is not null)
            as responses
),

actual as (
    select
        (select count(*) from {{ ref('ai_product_analytics', 'fct_ai_prompt_turns') }}) as turns,
        (select count(distinct prompt_event_id)
            from {{ ref('ai_product_analytics', 'fct_ai_prompt_turns') }}) as distinct_turns,
        (select count(*) from {{ ref('ai_product_analytics', 'fct_ai_responses') }}) as responses,
        (select sum(responses) from {{ ref('ai_product_analytics', 'ai_engagement_daily') }})
            as daily_responses
)

select expected.*, actual.*
from expected cross join actual
where actual.turns <> expected.prompts
    or actual.distinct_turns <> expected.prompts
    or actual.responses <> expected.responses
    or actual.daily_responses <> expected.responses
