-- The guide's "Conversations per user", against the marts: no raw events,
-- no text, one row per user.
select
    user_key,
    conversations as total_conversations,
    avg_prompts_per_conversation as avg_conversation_length
from {{ ref('ai_engagement_by_user') }}
order by total_conversations desc
