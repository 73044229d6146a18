-- The vars set under `vars: ai_product_analytics:` reached the package: the
-- sources resolve to the renamed tables of product_events (staging read the
-- same number of prompt and action ids as those tables hold) and the coverage
-- mart reports the 50% sample.
with checks as (
    select
        'prompts staged from product_events.chat_prompt_created' as check_name,
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__prompts') }}) as actual,
        (select count(distinct id) from product_events.chat_prompt_created) as expected
    union all
    select
        'actions staged from product_events.chat_user_action',
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__user_actions') }}),
        (select count(distinct id) from product_events.chat_user_action)
    union all
    select
        'model calls staged from product_events.chat_model_call',
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__llm_responses') }}),
        (select count(distinct id) from product_events.chat_model_call)
    union all
    select
        'days of ai_classification_coverage not at sampling_pct 50',
        (select count(*) from {{ ref('ai_product_analytics', 'ai_classification_coverage') }}
            where sampling_pct <> 50),
        0
    union all
    select
        'source relation of prompts',
        {{ "1" if source('rudderstack', 'ai_user_prompt_created').identifier == 'chat_prompt_created'
            and source('rudderstack', 'ai_user_prompt_created').schema == 'product_events' else "0" }},
        1
)

select * from checks where actual <> expected
