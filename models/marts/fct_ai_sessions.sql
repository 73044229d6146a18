{#
    One row per app session (user_key, context_session_id). Sessions come from
    the web and mobile SDKs; events without a session id are not here.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.session_scope_condition()) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope_resolved') }}
with prompts as (
    select * from {{ ref('fct_ai_prompt_turns') }}
    {{ ai_product_analytics.where_session_in_scope() }}
),

responses as (
    select * from {{ ref('int_responses_priced') }}
    {{ ai_product_analytics.where_session_in_scope() }}
),

actions as (
    select * from {{ ref('stg_rudderstack__user_actions') }}
    {{ ai_product_analytics.where_session_in_scope() }}
),

session_events as (
    select
        user_key,
        session_id,
        conversation_id,
        prompt_at as event_at,
        1 as is_prompt
    from prompts
    where session_id is not null and user_key is not null
    union all
    select
        user_key,
        session_id,
        conversation_id,
        event_at,
        0 as is_prompt
    from responses
    where session_id is not null and user_key is not null
    union all
    select
        user_key,
        session_id,
        conversation_id,
        event_at,
        0 as is_prompt
    from actions
    where session_id is not null and user_key is not null
),

final as (
    select
        {{ dbt.hash(dbt.concat(['user_key', "'|'", 'session_id'])) }} as session_key,
        user_key,
        session_id,
        count(distinct conversation_id) as conversations,
        cast(sum(is_prompt) as {{ dbt.type_bigint() }}) as prompts,
        count(*) as events,
        min(event_at) as started_at,
        max(event_at) as ended_at
    from session_events
    group by user_key, session_id
)

select * from final
