{#
    `select * from` the source relation, or an empty row set when the table
    does not exist yet: every column is then a typed NULL (see staged_column)
    and the staging model builds with zero rows.
#}
{% macro select_source(relation) -%}
    {%- if relation is none -%}
        select 1 as no_source_table where 1 = 0
    {%- else -%}
        select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#
    Values the loader set aside in `rudder_discards` for one event table, one
    row per event id and one text column `discarded_<name>` per name in
    `column_names`. The staging model coalesces them back into their columns.
    Given the source's `columns`, an incremental run reads only the discards
    of the rows it stages.
#}
{% macro discarded_values(table_key, column_names, columns=none) -%}
    {%- set identifier = var(table_key ~ '_identifier') | lower -%}
    select
        row_id,
        {%- for name in column_names %}
        max(case when column_name = '{{ name }}' then column_value end) as discarded_{{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('stg_rudderstack__rudder_discards') }}
    where table_name = '{{ identifier }}'
    {%- if columns is not none and this is not none and is_incremental() %}
        -- Only the rows this run stages (the CTE `source`).
        and row_id in (select {{ ai_product_analytics.staged_column(columns, 'id', 'text') }} from source)
    {%- endif %}
    group by row_id
{%- endmacro %}


{# The columns every RudderStack event carries, staged. #}
{% macro standard_event_columns(columns) -%}
    {{ ai_product_analytics.staged_column(columns, 'id', 'text') }} as event_id,
    {{ ai_product_analytics.staged_column(columns, 'anonymous_id', 'text') }} as anonymous_id,
    {{ ai_product_analytics.staged_column(columns, 'user_id', 'text') }} as user_id,
    coalesce(
        {{ ai_product_analytics.staged_column(columns, 'user_id', 'text') }},
        {{ ai_product_analytics.staged_column(columns, 'anonymous_id', 'text') }}
    ) as user_key,
    {{ ai_product_analytics.staged_column(columns, 'channel', 'enum') }} as channel,
    {{ ai_product_analytics.staged_column(columns, 'context_library_name', 'text') }} as library_name,
    {{ ai_product_analytics.staged_column(columns, 'context_library_version', 'text') }} as library_version,
    cast({{ ai_product_analytics.staged_column(columns, 'context_session_id', 'bigint') }} as {{ dbt.type_string() }}) as session_id,
    coalesce({{ ai_product_analytics.staged_column(columns, 'context_session_start', 'boolean') }}, false) as is_session_start,
    coalesce(
        {{ ai_product_analytics.staged_column(columns, 'context_wrapper_library_spec_version', 'enum') }},
        '0.1'
    ) as spec_version,
    {{ ai_product_analytics.staged_column(columns, 'timestamp', 'timestamp') }} as event_at,
    {{ ai_product_analytics.staged_column(columns, 'sent_at', 'timestamp') }} as sent_at,
    {{ ai_product_analytics.staged_column(columns, 'received_at', 'timestamp') }} as received_at,
    {{ ai_product_analytics.staged_column(columns, 'uuid_ts', 'timestamp') }} as loaded_at
{%- endmacro %}


{#
    Keep one row per event id of the raw rows in `relation_name` (the
    model's `source` CTE, whose `columns` are given): the latest delivery
    (RudderStack's own merge rule), by the staged received_at, then the
    staged load time. Only a few ids arrive twice, so the window runs over
    those alone and every other row passes through; and it runs on the raw
    rows, before staging's expressions, so each kept row is staged once
    (deduplicating staged rows would write every staged row out first to
    read it three times).
#}
{% macro deduplicate_events(relation_name, columns) -%}
    {%- set event_id = ai_product_analytics.staged_column(columns, 'id', 'text') -%}
    with repeated_ids as (
        select {{ event_id }} as event_id
        from {{ relation_name }}
        where {{ event_id }} is not null
        group by {{ event_id }}
        having count(*) > 1
    )

    select {{ relation_name }}.*
    from {{ relation_name }}
    left join repeated_ids on {{ event_id }} = repeated_ids.event_id
    where {{ event_id }} is not null and repeated_ids.event_id is null
    union all
    select *
    from {{ relation_name }}
    where {{ event_id }} in (select repeated_ids.event_id from repeated_ids)
    qualify row_number() over (
        partition by {{ event_id }}
        order by
            {{ ai_product_analytics.staged_column(columns, 'received_at', 'timestamp') }} desc nulls last,
            {{ ai_product_analytics.staged_column(columns, 'uuid_ts', 'timestamp') }} desc nulls last
    ) = 1
{%- endmacro %}


{#
    What staging keeps of a free-text column (prompt, response, feedback,
    error message): its length, a hash and a presence flag. The text itself
    stays in the source. With the `keep_redacted_text` var set to true, the
    text with personal data replaced by placeholders (`<EMAIL>`, `<PHONE>`...)
    is kept too, as `<prefix>_text_redacted`.
#}
{% macro text_measures(columns, name, prefix) -%}
    {%- set text = ai_product_analytics.staged_column(columns, name, 'text') -%}
    {{ dbt.length(text) }} as {{ prefix }}_length_chars,
    {{ dbt.hash(text) }} as {{ prefix }}_text_hash,
    ({{ text }} is not null) as has_{{ prefix }}_text
    {%- if var('keep_redacted_text', false) %},
    {{ ai_product_analytics.redact_function() }}({{ text }}) as {{ prefix }}_text_redacted
    {%- endif %}
{%- endmacro %}


{#
    The two intent labels an event can carry, staged apart: the guide's
    `classified_intent` (set by a transformation) and v0.3's `intent` (set by
    the app). Intermediate models take the first of the two that is valid.
#}
{% macro event_intent_columns(columns) -%}
    {{ ai_product_analytics.staged_column(columns, 'classified_intent', 'enum') }} as event_classified_intent,
    {{ ai_product_analytics.staged_column(columns, 'intent', 'enum') }} as event_intent
{%- endmacro %}


{# Properties every v0.3 event may carry to say where the AI ran and for whom. #}
{% macro v03_scope_columns(columns) -%}
    {{ ai_product_analytics.staged_column(columns, 'feature', 'text') }} as feature,
    {{ ai_product_analytics.staged_column(columns, 'surface', 'enum') }} as surface,
    {{ ai_product_analytics.staged_column(columns, 'account_id', 'text') }} as account_id
{%- endmacro %}


{#
    Incremental staging: the load-time cursor. On an incremental run only raw
    rows loaded (`uuid_ts`, else `received_at`) after the latest load already
    staged, less a lookback of `incremental_lookback_hours`, are read. The
    cursor is load time, not event time, so events that arrive days late are
    still picked up, and land on their own event day.
#}
{% macro incremental_source_filter(columns) -%}
    {%- if execute and this is not none and is_incremental() -%}
        {#- The cursor is read first and written in as a literal, compared with
            each column in its own type: a constant filter on the raw column
            lets the warehouse skip the blocks loaded before it. -#}
        {%- set latest = run_query('select max(loaded_at) from ' ~ this).columns[0].values()[0] -%}
        {%- set present = [] -%}
        {%- for name in ['uuid_ts', 'received_at'] if columns.get(name) -%}
            {%- do present.append(name) -%}
        {%- endfor -%}
        {%- if present and latest is not none -%}
            {%- set cutoff = latest - modules.datetime.timedelta(hours=var('incremental_lookback_hours', 3)) -%}
            {%- set later = [] -%}
            {%- for name in present -%}
                {%- do later.append(ai_product_analytics.loaded_after(columns[name], cutoff)) -%}
            {%- endfor %}
    where {{ later[0] }}
            {%- if later | length > 1 %}
        or ({{ adapter.quote(columns[present[0]]['name']) }} is null and {{ later[1] }})
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{# `column > cutoff` (a UTC datetime) in the column's own type when it is a timestamp. #}
{% macro loaded_after(column, cutoff) -%}
    {%- set type = column['type'] | lower -%}
    {%- set text = cutoff.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- if 'timestamp' in type and ('time zone' in type or type.endswith('_tz') or type.endswith('_ltz') or type == 'timestamptz') -%}
        {{ adapter.quote(column['name']) }} > cast('{{ text }}+00:00' as {{ column['type'] }})
    {%- elif 'timestamp' in type -%}
        {{ adapter.quote(column['name']) }} > cast('{{ text }}' as {{ column['type'] }})
    {%- else -%}
        {{ ai_product_analytics.typed_expression(adapter.quote(column['name']), column['type'], 'timestamp') }}
            > cast('{{ text }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}


{#
    Incremental staging: a row of this batch replaces the staged row of the
    same id (delete+insert on event_id) only when it is the later delivery by
    the dedup rule (latest received_at, then latest load), so a stale copy
    loaded late, or the same delivery read again in the lookback window, never
    overwrites what is staged. Every row written is stamped `staged_at` (this
    run's start); a replacing row remembers the conversation, event time, user
    and session of the row it replaces (`replaced_conversation_id`,
    `replaced_event_at`, `replaced_user_key`, `replaced_session_id`), so the
    models past staging also rebuild what the old version was counted in.
    When the replaced row itself was never seen downstream (staged after the
    last complete run), what it remembered is carried over instead.

    A redelivery that changes nothing but the load times (received_at,
    loaded_at), RudderStack's at-least-once duplicate, is still written (the
    quarantine rechecks it against its new received_at) but flagged
    `is_unchanged_redelivery`, and the models past staging leave it out of
    their scope: they counted the same values already. The values compared
    are the columns of the staged table itself.
#}
{% macro keep_only_later_deliveries(relation_name) -%}
    {#- What a replacing row remembers of the row it replaces: (column, type). -#}
    {%- set remembered = [
        ('conversation_id', dbt.type_string()),
        ('event_at', dbt.type_timestamp()),
        ('user_key', dbt.type_string()),
        ('session_id', dbt.type_string()),
    ] -%}
    {%- if this is not none and is_incremental() -%}
        {%- set since = ai_product_analytics.last_complete_run() -%}
        {%- set staged_unseen = 'staged.staged_at > ' ~ since if since is not none else 'true' -%}
        {%- set staged_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- set not_compared = ['received_at', 'loaded_at', 'staged_at', 'is_unchanged_redelivery'] -%}
    select
        batch.*,
        {{ ai_product_analytics.run_started_literal() }} as staged_at,
        {%- for column, type in remembered %}
        case
            when staged.event_id is null then cast(null as {{ type }})
            when {{ staged_unseen }} then staged.replaced_{{ column }}
            else staged.{{ column }}
        end as replaced_{{ column }},
        {%- endfor %}
        {#- Unchanged since what the models past staging saw: the staged row's
            values, and that row seen (or itself an unchanged redelivery). #}
        coalesce(
            staged.event_id is not null
            and (
                not ({{ staged_unseen }})
                {%- if 'is_unchanged_redelivery' in staged_columns %}
                or staged.is_unchanged_redelivery
                {%- endif %}
            )
            {%- for column in staged_columns
                if column not in not_compared and not column.startswith('replaced_') %}
            and batch.{{ column }} is not distinct from staged.{{ column }}
            {%- endfor %},
            false
        ) as is_unchanged_redelivery
    from {{ relation_name }} as batch
    left join {{ this }} as staged on batch.event_id = staged.event_id
    where staged.event_id is null
        or {{ ai_product_analytics.is_later_delivery('batch', 'staged') }}
    {%- else %}
    select
        batch.*,
        {{ ai_product_analytics.run_started_literal() }} as staged_at,
        {%- for column, type in remembered %}
        cast(null as {{ type }}) as replaced_{{ column }},
        {%- endfor %}
        false as is_unchanged_redelivery
    from {{ relation_name }} as batch
    {%- endif %}
{%- endmacro %}


{#
    True when the row `batch` is a later delivery than the row `staged` of
    the same key, by the dedup rule: the later received_at, then the later
    load (a missing time counts as earliest). Incremental staging lets only
    such a row replace what is staged.
#}
{% macro is_later_delivery(batch, staged) -%}
    {%- set epoch = "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" -%}
    (
        coalesce({{ batch }}.received_at, {{ epoch }}) > coalesce({{ staged }}.received_at, {{ epoch }})
        or (
            coalesce({{ batch }}.received_at, {{ epoch }}) = coalesce({{ staged }}.received_at, {{ epoch }})
            and coalesce({{ batch }}.loaded_at, {{ epoch }}) > coalesce({{ staged }}.loaded_at, {{ epoch }})
        )
    )
{%- endmacro %}
