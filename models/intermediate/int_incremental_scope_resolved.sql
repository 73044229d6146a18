{#
    The scope of the models past intent resolution: int_incremental_scope
    plus the prompts the batch classifier labelled since the last complete
    run (a retry can label a prompt staged long ago), with what they touch:

    - `conversation`, `prompt`, `response`, `action`: as in int_incremental_scope
      (every prompt of a conversation in scope is listed by id);
    - `day`: every UTC day with an event in scope, and the day a replaced
      event was on before (`scope_key` is the ISO date);
    - `session`: every `user_key|session_id` with an event in scope, and the
      session a replaced event was in before;
    - `user`: every `user_key` with an event in scope, and the user of a
      replaced event before;
    - `changed`: one row when anything at all changed since the last
      complete run (models rebuilt whole rebuild only then).
#}
{{ config(tags=['ai_incremental']) }}

{%- set since = ai_product_analytics.last_complete_run() -%}
{%- if since is not none and ai_product_analytics.scope_has_no_rows('int_incremental_scope')
    and ai_product_analytics.nothing_new_since_last_run(
        [], [('int_prompt_intents_classified', 'classified_at', 'last_complete_run_ended_at')]) -%}
    {%- set since = none -%}
{%- endif -%}

with scope as (
    select * from {{ ref('int_incremental_scope') }}
),

-- Read three times (classified, conversation and scope filters): scanned
-- each time rather than held whole in memory.
prompts as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__prompts') }}
),

-- Responses and model calls, as staged: their price plays no part in scope.
llm_responses as (
    select * from {{ ref('stg_rudderstack__llm_responses') }}
),

interaction_responses as (
    select * from {{ ref('stg_rudderstack__interaction_responses') }}
),

actions as (
    select * from {{ ref('stg_rudderstack__user_actions') }}
),

links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
),

classified as (
    select * from {{ ref('int_prompt_intents_classified') }}
    where
        {{ ai_product_analytics.changed_since_last_run(
            'classified_at', 'last_complete_run_ended_at') }}
        {%- if since is none %} and 1 = 0{% endif %}
),

newly_classified_prompts as (
    select
        prompts.event_id,
        prompts.conversation_id
    from prompts
    inner join classified on prompts.event_id = classified.prompt_event_id
),

-- Events of a newly classified prompt's turn (those in another conversation
-- or in none joined it by interaction id).
newly_classified_turn_events as (
    select
        links.event_kind,
        links.event_id,
        links.conversation_id
    from links
    where links.prompt_event_id in (
        select newly_classified_prompts.event_id from newly_classified_prompts
    )
),

scope_events as (
    select
        scope_type,
        scope_key
    from scope
    where scope_type <> 'changed'
    union
    select
        'conversation' as scope_type,
        conversation_id as scope_key
    from newly_classified_prompts
    where conversation_id is not null
    union
    select
        'prompt' as scope_type,
        event_id as scope_key
    from newly_classified_prompts
    where conversation_id is null
    union
    select
        event_kind,
        event_id
    from newly_classified_turn_events
    where conversation_id is null
    union
    select
        'conversation' as scope_type,
        conversation_id as scope_key
    from newly_classified_turn_events
    where conversation_id is not null
),

conversations as (
    select scope_key as conversation_id from scope_events
    where scope_type = 'conversation'
),

-- Every prompt in scope by id: those listed already, and the prompts of the
-- conversations in scope (a newly classified prompt adds its conversation).
scoped_prompts as (
    select scope_key as event_id from scope_events
    where scope_type = 'prompt'
    union
    select event_id from prompts
    where conversation_id in (select conversations.conversation_id from conversations)
),

events_in_scope as (
    {%- for kind, relation in [
        ('prompt', 'prompts'), ('response', 'llm_responses'),
        ('response', 'interaction_responses'), ('action', 'actions')
    ] %}
    select
        user_key,
        session_id,
        event_at,
        replaced_event_at,
        replaced_user_key,
        replaced_session_id
    from {{ relation }}
    where
        conversation_id in (select conversations.conversation_id from conversations)
        or event_id in (
            select scope_events.scope_key from scope_events
            where scope_events.scope_type = '{{ kind }}'
        )
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

days as (
    select cast(event_at as date) as date_day from events_in_scope
    where event_at is not null
    union
    select cast(replaced_event_at as date) from events_in_scope
    where replaced_event_at is not null
),

sessions as (
    select user_key || '|' || session_id as session_key from events_in_scope
    where user_key is not null and session_id is not null
    union
    select replaced_user_key || '|' || replaced_session_id from events_in_scope
    where replaced_user_key is not null and replaced_session_id is not null
),

users as (
    select user_key from events_in_scope
    where user_key is not null
    union
    select replaced_user_key from events_in_scope
    where replaced_user_key is not null
),

scoped as (
    select
        scope_type,
        scope_key
    from scope_events
    where scope_type <> 'prompt'
    union all
    select
        'prompt' as scope_type,
        event_id as scope_key
    from scoped_prompts
    union all
    select
        'day' as scope_type,
        cast(date_day as {{ dbt.type_string() }}) as scope_key
    from days
    union all
    select
        'session' as scope_type,
        session_key as scope_key
    from sessions
    union all
    select
        'user' as scope_type,
        user_key as scope_key
    from users
    union all
    select
        'changed' as scope_type,
        cast(null as {{ dbt.type_string() }}) as scope_key
    from (
        select 1 as changed from scope
        where scope_type = 'changed'
        union
        select 1 from classified
    ) as anything_changed
),

final as (
    select * from scoped
    {%- if since is none %}
    where 1 = 0
    {%- endif %}
)

select * from final
