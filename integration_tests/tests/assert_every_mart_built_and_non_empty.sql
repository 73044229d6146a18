-- Every mart and semantic-layer model of the package exists in this project's
-- target schema and has rows: on a v0.3-only warehouse too, the v0.3 marts
-- (outcomes, model calls, evaluation scores) included.
{%- set marts = [
    'fct_ai_prompt_turns', 'fct_ai_conversations', 'fct_ai_sessions',
    'ai_engagement_by_user', 'ai_engagement_daily', 'ai_intent_distribution',
    'ai_intent_transitions', 'ai_latency_by_intent', 'ai_model_performance_daily',
    'ai_cost_daily', 'ai_satisfaction_by_intent', 'ai_retention_weekly',
    'ai_outcomes_daily', 'ai_model_calls_daily', 'ai_evaluation_scores',
    'ai_classification_coverage', 'ai_otel_genai_spans', 'fct_ai_responses', 'fct_ai_feedback',
    'metricflow_time_spine',
] %}

with counted as (
    {%- for mart in marts %}
    select
        '{{ mart }}' as mart,
        '{{ ref("ai_product_analytics", mart).schema }}' as built_in_schema,
        (select count(*) from {{ ref('ai_product_analytics', mart) }}) as row_count
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select *
from counted
where row_count = 0
    or built_in_schema <> '{{ target.schema }}'
