-- keep_redacted_text is on, so staging has *_text_redacted columns (selecting
-- them fails the test if they are missing). They are filled where the raw
-- table has text, and no email survives in them, although the raw text holds
-- some. The raw side is read from the renamed tables directly.
with raw as (
    select
        (select count(*) from product_events.chat_prompt_created where prompt_text like '%@%')
            as raw_prompts_with_at,
        (select count(*) from product_events.chat_user_action
            where action_details_feedback_text like '%@%') as raw_feedback_with_at
),

staged as (
    select
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__prompts') }}
            where has_prompt_text and prompt_text_redacted is null) as prompts_missing_redacted,
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__prompts') }}
            where prompt_text_redacted like '%@%') as prompts_with_at,
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__prompts') }}
            where prompt_text_redacted like '%<EMAIL>%') as prompts_with_placeholder,
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__user_actions') }}
            where feedback_text_redacted like '%@%') as feedback_with_at,
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__user_actions') }}
            where feedback_text_redacted like '%<EMAIL>%') as feedback_with_placeholder,
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__interaction_responses') }}
            where response_text_redacted like '%@%') as responses_with_at,
        (select count(*) from {{ ref('ai_product_analytics', 'stg_rudderstack__interaction_classifications') }}
            where intent_summary_text_redacted like '%@%') as summaries_with_at
)

select raw.*, staged.*
from raw cross join staged
where raw.raw_prompts_with_at = 0
    or raw.raw_feedback_with_at = 0
    or staged.prompts_missing_redacted > 0
    or staged.prompts_with_at > 0
    or staged.prompts_with_placeholder = 0
    or staged.feedback_with_at > 0
    or staged.feedback_with_placeholder = 0
    or staged.responses_with_at > 0
    or staged.summaries_with_at > 0
