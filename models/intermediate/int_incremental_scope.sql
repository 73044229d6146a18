{#
    What this run rebuilds past staging (see macros/incremental_scope.sql):
    every row staged since the last complete run, and what it touches. An
    unchanged redelivery (`is_unchanged_redelivery`) touches nothing.

    - `conversation`: conversations with a new or replaced event, the
      conversation a replaced event was in before, and the conversations of
      prompts that share an interaction id with a new event (a late response
      or classification changes its prompt's turn);
    - `response`, `action`: such events without a conversation id, which
      belong to no conversation in scope;
    - `prompt`: such prompts, and every prompt of a conversation in scope.

    Empty when no complete run is on record: every model past staging is
    then built whole.
#}
{{ config(tags=['ai_incremental']) }}

{%- set since = ai_product_analytics.last_complete_run() -%}
{%- set staging_models = ai_product_analytics.event_table_models() | map(attribute=1) | list -%}
{%- if ai_product_analytics.nothing_new_since_last_run(staging_models) -%}
    {%- set since = none -%}
{%- endif -%}

-- Each staged table is read more than once (rows staged since the last run,
-- rows sharing an interaction or a conversation in scope): scanned each time,
-- where the staged_at filter skips old row groups, rather than held whole.
with prompts as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__prompts') }}
),

llm_responses as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__llm_responses') }}
),

interaction_responses as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__interaction_responses') }}
),

actions as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__user_actions') }}
),

classifications as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__interaction_classifications') }}
),

scores as {{ ai_product_analytics.not_materialized() }} (
    select * from {{ ref('stg_rudderstack__interaction_scores') }}
),

changed_events as (
    {%- for kind, relation in [
        ('prompt', 'prompts'),
        ('response', 'llm_responses'),
        ('response', 'interaction_responses'),
        ('action', 'actions'),
        ('classification', 'classifications'),
        ('score', 'scores'),
    ] %}
    select
        '{{ kind }}' as event_kind,
        event_id,
        conversation_id,
        replaced_conversation_id,
        interaction_id
    from {{ relation }}
    where
        {{ ai_product_analytics.changed_since_last_run('staged_at') }}
        and not coalesce(is_unchanged_redelivery, false)
        {%- if since is none %} and 1 = 0{% endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

changed_interactions as (
    select distinct interaction_id
    from changed_events
    where interaction_id is not null
),

-- Events of every kind that share an interaction with a changed event.
interaction_events as (
    select
        'prompt' as event_kind,
        event_id,
        conversation_id
    from prompts
    where interaction_id in (select changed_interactions.interaction_id from changed_interactions)
    union all
    select
        'response' as event_kind,
        event_id,
        conversation_id
    from interaction_responses
    where interaction_id in (select changed_interactions.interaction_id from changed_interactions)
    union all
    select
        'response' as event_kind,
        event_id,
        conversation_id
    from llm_responses
    where interaction_id in (select changed_interactions.interaction_id from changed_interactions)
    union all
    select
        'action' as event_kind,
        event_id,
        conversation_id
    from actions
    where interaction_id in (select changed_interactions.interaction_id from changed_interactions)
),

conversations as (
    select conversation_id as scope_key from changed_events
    where conversation_id is not null
    union
    select replaced_conversation_id from changed_events
    where replaced_conversation_id is not null
    union
    select conversation_id from interaction_events
    where conversation_id is not null
),

-- The prompts of the conversations in scope. They are listed by id too
-- (scope_type `prompt`), so that models keyed by prompt read their scope
-- from this small table instead of filtering every staged prompt.
conversation_prompts as (
    select
        event_id,
        interaction_id
    from prompts
    where conversation_id in (select conversations.scope_key from conversations)
),

-- Interactions of the prompts in scope: their events without a conversation are in scope too.
scoped_interactions as (
    select distinct interaction_id
    from conversation_prompts
    where interaction_id is not null
    union
    select interaction_id from changed_interactions
),

orphan_events as (
    select
        event_kind,
        event_id
    from changed_events
    where conversation_id is null and event_kind in ('prompt', 'response', 'action')
    union
    select
        event_kind,
        event_id
    from interaction_events
    where conversation_id is null
    union
    select
        'response' as event_kind,
        event_id
    from interaction_responses
    where
        conversation_id is null
        and interaction_id in (select scoped_interactions.interaction_id from scoped_interactions)
    union
    select
        'response' as event_kind,
        event_id
    from llm_responses
    where
        conversation_id is null
        and interaction_id in (select scoped_interactions.interaction_id from scoped_interactions)
    union
    select
        'action' as event_kind,
        event_id
    from actions
    where
        conversation_id is null
        and interaction_id in (select scoped_interactions.interaction_id from scoped_interactions)
),

scoped as (
    select
        'conversation' as scope_type,
        scope_key
    from conversations
    union all
    select
        event_kind as scope_type,
        event_id as scope_key
    from orphan_events
    union all
    select
        'prompt' as scope_type,
        event_id as scope_key
    from conversation_prompts
    union all
    select distinct
        'changed' as scope_type,
        cast(null as {{ dbt.type_string() }}) as scope_key
    from changed_events
),

final as (
    select * from scoped
    {%- if since is none %}
    where 1 = 0
    {%- endif %}
)

select * from final
