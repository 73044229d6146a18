{#
    Every raw event row that cannot be used, or can be used only in part, with
    the reason: nothing is dropped silently.

    - `is_excluded = true`: the row is not staged at all (it has no message id,
      so it cannot be deduplicated or joined).
    - `is_excluded = false`: the row is staged and counts wherever it can
      (a response without a conversation still counts in cost), but a value
      of it is unusable: no event time, no conversation id on a prompt,
      negative latency, a status or action type outside the spec, a feedback
      value that reads as neither a rating nor a thumb, an event time in the
      future (more than a day after it was received) or before the
      `event_time_floor` var, a cost stored in a column the loader typed as
      an integer (decimals truncated), no user id at all. One row per reason found
      first, in that order.

    Incremental: a run rechecks the rows staged since the last complete run
    (and rescans the raw tables for rows without an id, which cannot be
    staged, so nothing marks them as seen).
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    unique_key=none,
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.quarantine_scope_condition()) }}",
) }}

{%- set floor = var('event_time_floor', none) -%}
{%- set tables = ai_product_analytics.event_table_models() -%}

with
{% for table_key, staging_model in tables %}
{%- set relation = ai_product_analytics.source_table(table_key) -%}
{%- set columns = ai_product_analytics.source_columns(table_key) -%}


{{ table_key }}_without_id as (
    select
        '{{ table_key }}' as table_name,
        cast(null as {{ dbt.type_string() }}) as event_id,
        'missing_id' as reason,
        true as is_excluded,
        {{ ai_product_analytics.staged_column(columns, 'timestamp', 'timestamp') }} as event_at,
        {{ ai_product_analytics.staged_column(columns, 'received_at', 'timestamp') }} as received_at
    from ({{ ai_product_analytics.select_source(relation) }}) as source
    {% if columns.get('id') -%}
    {%- set id_type = columns['id']['type'] | lower -%}
    {%- set id = adapter.quote(columns['id']['name']) -%}
    {%- if id_type.startswith('varchar') or id_type.startswith('character varying') or id_type in ('text', 'string') %}
    -- The staged id (nullif(trim(id), '')) is null, written so that only ids
    -- that can be blank at all are trimmed.
    where {{ id }} is null or {{ id }} = '' or ({{ id }} like ' %' and trim({{ id }}) = '')
    {%- else %}
    where {{ ai_product_analytics.staged_column(columns, 'id', 'text') }} is null
        {%- endif %}
    {%- endif %}
),

{{ table_key }}_staged as (
    select * from {{ ref(staging_model) }}
    {% if ai_product_analytics.is_scoped_run() -%}
    where {{ ai_product_analytics.changed_since_last_run('staged_at') }}
    {%- endif %}
),

{{ table_key }}_flags as (
    select
        '{{ table_key }}' as table_name,
        event_id,
        case
            when event_at is null then 'missing_event_time'
            when event_at > {{ dbt.dateadd('day', 1, 'received_at') }} then 'event_time_in_future'
            {% if floor -%}
            when event_at < cast('{{ floor }}' as {{ dbt.type_timestamp() }}) then 'event_time_before_floor'
            {%- endif %}
            {% if table_key == 'ai_user_prompt_created' -%}
            when conversation_id is null then 'missing_conversation_id'
            {%- elif table_key in ('ai_llm_response_received', 'ai_response_received') -%}
            when latency_ms < 0 then 'negative_latency'
            when is_cost_column_integer and reported_cost_usd is not null then 'cost_truncated_by_loader'
            when
                response_status is not null
                and response_status not in ('success', 'error', 'timeout', 'incomplete', 'cancelled', 'paused')
                then 'unknown_status'
            {%- elif table_key == 'ai_user_action' -%}
            when
                action_type is not null
                and action_type not in (
                    'feedback_given', 'feedback_retracted', 'copied_response', 'shared', 'reported',
                    'regenerated', 'accepted', 'rejected', 'edited', 'clicked_through'
                )
                then 'unknown_action_type'
            when feedback_type = 'rating' and rating_value is null then 'unparsable_feedback_value'
            when feedback_type = 'thumbs' and is_thumbs_up is null then 'unparsable_feedback_value'
            {%- endif %}
            when user_key is null then 'missing_user'
        end as reason,
        false as is_excluded,
        event_at,
        received_at
    from {{ table_key }}_staged
),
{% endfor %}

unioned as (
    {% for table_key, staging_model in tables %}
    select * from {{ table_key }}_without_id
    union all
    select * from {{ table_key }}_flags
    where reason is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        table_name,
        event_id,
        reason,
        is_excluded,
        event_at,
        received_at,
        cast(coalesce(received_at, event_at) as date) as received_date
    from unioned
)

select * from final
