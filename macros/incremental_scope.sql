{#
    Incremental runs past staging: the ledger and the scope.

    Staging stamps every row it writes with the run's start (`staged_at`).
    The ledger (`ai_incremental_ledger`, one row, next to the intermediate
    models) holds the start of the last run that built every model tagged
    `ai_incremental` without an error. A run's scope is what was staged or
    classified after that: the conversations those rows belong to (whole, so
    a conversation whose turns arrive across runs is rebuilt whole), the
    events that belong to none, and every day, session and user they touch.
    Scoped models delete their rows in scope (a pre-hook) and append them
    rebuilt. A run that fails or is killed leaves the ledger where it was, so
    the next run redoes its scope: the result is the same as one full build.
#}

{# The ledger relation: in the schema of int_incremental_scope, found in the graph. #}
{% macro incremental_ledger_relation() -%}
    {%- set node = graph.nodes.get('model.ai_product_analytics.int_incremental_scope') -%}
    {%- if node is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(api.Relation.create(
        database=node.database, schema=node.schema, identifier='ai_incremental_ledger', type='table')) }}
{%- endmacro %}


{#
    The start (or, with `column='last_complete_run_ended_at'`, the end) of
    the last complete run as a timestamp SQL literal, or none.
#}
{% macro last_complete_run(column='last_complete_run_at') -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set ledger = ai_product_analytics.incremental_ledger_relation() -%}
    {%- if ledger is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=ledger.database, schema=ledger.schema, identifier=ledger.identifier) -%}
    {%- if existing is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query('select max(' ~ column ~ ') from ' ~ existing
        ~ " where settings_fingerprint = '" ~ ai_product_analytics.incremental_settings_fingerprint() ~ "'") -%}
    {%- set value = result.columns[0].values()[0] if result.rows | length > 0 else none -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ value.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{#
    What the rows past staging depend on besides the events: the vars that
    decide sampling, classification, privacy and sources, and the seed files.
    The ledger keeps the fingerprint of the run it records; a run whose
    fingerprint differs finds no complete run, so every model is rebuilt
    whole, as after --full-refresh.
#}
{% macro incremental_settings_fingerprint() -%}
    {%- set parts = [] -%}
    {%- for name in [
        'intent_sample_pct', 'intent_always_classify_user_keys', 'intent_cohort_model',
        'intent_classifier', 'intent_classifier_threshold', 'llm_base_url', 'llm_model',
        'keep_redacted_text', 'event_time_floor', 'rudderstack_database', 'rudderstack_schema',
        'rudderstack_parquet_path', 'ai_user_prompt_created_identifier',
        'ai_llm_response_received_identifier', 'ai_response_received_identifier',
        'ai_user_action_identifier', 'ai_interaction_classified_identifier',
        'ai_interaction_scored_identifier', 'rudder_discards_identifier',
    ] -%}
        {%- do parts.append(name ~ '=' ~ (var(name, none) | string)) -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'seed' and node.package_name == 'ai_product_analytics' -%}
        {%- do parts.append(node.name ~ '=' ~ node.checksum.checksum) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | sort | join(';'))) }}
{%- endmacro %}


{# This run's start as a timestamp SQL literal: the value staging stamps rows with. #}
{% macro run_started_literal() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{# True when this model updates only its scope: it exists, and a complete run is on record. #}
{% macro is_scoped_run() -%}
    {%- if not execute or this is none -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(is_incremental() and ai_product_analytics.last_complete_run() is not none) }}
{%- endmacro %}


{#
    `<column> > last complete run`, or true when no run is on record. Rows
    stamped with a run's start (staged_at) compare with the start; rows
    stamped while a run goes on (classified_at) with its end.
#}
{% macro changed_since_last_run(column, ledger_column='last_complete_run_at') -%}
    {%- set since = ai_product_analytics.last_complete_run(ledger_column) -%}
    {%- if since is none -%}
        (1 = 1)
    {%- else -%}
        ({{ column }} > {{ since }})
    {%- endif -%}
{%- endmacro %}


{# Keys of one type in this run's scope, as a subquery. #}
{% macro scope_keys(scope_type, scope_model='int_incremental_scope') -%}
    select scope_key from {{ ref(scope_model) }} where scope_type = '{{ scope_type }}'
{%- endmacro %}


{#
    Rows of an event-grain relation in scope: those of a conversation in
    scope, or the event itself (events without a conversation).
#}
{% macro in_event_scope(conversation_column, event_kind, event_id_column, scope_model='int_incremental_scope') -%}
    (
        {{ conversation_column }} in ({{ ai_product_analytics.scope_keys('conversation', scope_model) }})
        or {{ event_id_column }} in ({{ ai_product_analytics.scope_keys(event_kind, scope_model) }})
    )
{%- endmacro %}


{#
    True when no row was staged in `models` (staging model names), nor
    written to `extra` (a list of (model, column) pairs), since the last
    complete run: the scope models then skip their queries.
#}
{% macro nothing_new_since_last_run(models, extra=[]) -%}
    {%- if not execute or ai_product_analytics.last_complete_run() is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set probes = [] -%}
    {%- for model in models -%}
        {%- do probes.append('select 1 as found from ' ~ ref(model) ~ ' where '
            ~ ai_product_analytics.changed_since_last_run('staged_at')) -%}
    {%- endfor -%}
    {%- for model, column, ledger_column in extra -%}
        {%- do probes.append('select 1 as found from ' ~ ref(model) ~ ' where '
            ~ ai_product_analytics.changed_since_last_run(column, ledger_column)) -%}
    {%- endfor -%}
    {%- set result = run_query('select count(*) from (' ~ (probes | join(' union all ')) ~ ') as probes') -%}
    {{ return(result.columns[0].values()[0] == 0) }}
{%- endmacro %}


{#
    Ids of the prompts in scope, as a subquery: the scope models list every
    prompt in scope by id (those of a conversation in scope included), so
    this reads the small scope table, not every staged prompt.
#}
{% macro scoped_prompt_ids(scope_model='int_incremental_scope') -%}
    {{ ai_product_analytics.scope_keys('prompt', scope_model) }}
{%- endmacro %}


{# `<column>` (a prompt's event id) is a prompt in scope. #}
{% macro prompt_scope_condition(column, scope_model='int_incremental_scope_resolved') -%}
    {{ column }} in ({{ ai_product_analytics.scoped_prompt_ids(scope_model) }})
{%- endmacro %}


{# `<column>` (a date) is a day in scope. #}
{% macro day_scope_condition(column, scope_model='int_incremental_scope_resolved') -%}
    {{ column }} in (select cast(scope_key as date) from {{ ref(scope_model) }} where scope_type = 'day')
{%- endmacro %}


{# `<column>` is a conversation in scope. #}
{% macro conversation_scope_condition(column, scope_model='int_incremental_scope_resolved') -%}
    {{ column }} in ({{ ai_product_analytics.scope_keys('conversation', scope_model) }})
{%- endmacro %}


{# The row's (user_key, session_id) is a session in scope. #}
{% macro session_scope_condition(scope_model='int_incremental_scope_resolved') -%}
    (user_key || '|' || session_id) in ({{ ai_product_analytics.scope_keys('session', scope_model) }})
{%- endmacro %}


{# `<column>` is a user in scope. #}
{% macro user_scope_condition(column, scope_model='int_incremental_scope_resolved') -%}
    {{ column }} in ({{ ai_product_analytics.scope_keys('user', scope_model) }})
{%- endmacro %}


{# Quarantine rows to recheck: rows without an id, and rows of events staged since the last complete run. #}
{% macro quarantine_scope_condition() -%}
    (
        is_excluded
        or table_name || '|' || event_id in (
        {%- for table_key, staging_model in ai_product_analytics.event_table_models() %}
            select '{{ table_key }}|' || event_id from {{ ref(staging_model) }}
            where {{ ai_product_analytics.changed_since_last_run('staged_at') }}
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
        )
    )
{%- endmacro %}


{# Link rows in scope: by the event's conversation, else by the event. #}
{% macro link_scope_condition(scope_model='int_incremental_scope') -%}
    (
        conversation_id in ({{ ai_product_analytics.scope_keys('conversation', scope_model) }})
        or (event_kind = 'response' and event_id in ({{ ai_product_analytics.scope_keys('response', scope_model) }}))
        or (event_kind = 'action' and event_id in ({{ ai_product_analytics.scope_keys('action', scope_model) }}))
    )
{%- endmacro %}


{#
    Pre-hook of a scoped model: delete the rows about to be rebuilt. `condition`
    is a predicate over the model's own columns (e.g. in_event_scope(...)).
    On an incremental run without a complete run on record every row is
    rebuilt, so every row goes. Nothing on a first or --full-refresh build.
#}
{% macro delete_scope(condition) -%}
    {%- if execute and this is not none and is_incremental() -%}
        {%- if ai_product_analytics.is_scoped_run() -%}
            {%- if not ai_product_analytics.scope_has_no_rows(ai_product_analytics.scope_model_of(condition)) -%}
                delete from {{ this }} where {{ condition }}
            {%- endif -%}
        {%- else -%}
            delete from {{ this }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{# The scope model a condition reads (its relation name appears in it), or none. #}
{% macro scope_model_of(condition) -%}
    {%- if 'int_incremental_scope_resolved' in condition -%}
        {{ return('int_incremental_scope_resolved') }}
    {%- elif 'int_incremental_scope' in condition -%}
        {{ return('int_incremental_scope') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{# True when a scope model holds no row at all: this run has nothing to redo. #}
{% macro scope_has_no_rows(scope_model) -%}
    {%- if not execute or scope_model is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set result = run_query('select count(*) from ' ~ ref(scope_model)) -%}
    {{ return(result.columns[0].values()[0] == 0) }}
{%- endmacro %}


{#
    `where` clause of a scoped model's rebuild: the condition, or `1 = 0`
    when the scope is empty (the warehouse then skips the whole query);
    nothing on a full build.
#}
{% macro where_in_scope(condition) -%}
    {{ ai_product_analytics.scope_clause('where', condition) }}
{%- endmacro %}


{# `<keyword> <condition>` on a scoped run (`<keyword> 1 = 0` when its scope is empty), nothing otherwise. #}
{% macro scope_clause(keyword, condition) -%}
    {%- if ai_product_analytics.is_scoped_run() -%}
        {%- if ai_product_analytics.scope_has_no_rows(ai_product_analytics.scope_model_of(condition)) %}
        {{ keyword }} 1 = 0
        {%- else %}
        {{ keyword }} {{ condition }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#
    Models rebuilt whole, but only when something changed: on a scoped run
    with an empty scope they keep their rows. `delete_all_if_changed` is
    their pre-hook, `unless_unchanged` closes their final select.
#}
{% macro delete_all_if_changed() -%}
    {%- if execute and this is not none and is_incremental() -%}
        {%- if not ai_product_analytics.is_scoped_run()
            or not ai_product_analytics.scope_has_no_rows('int_incremental_scope_resolved') -%}
            delete from {{ this }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro unless_unchanged() -%}
    {%- if ai_product_analytics.is_scoped_run() and ai_product_analytics.scope_has_no_rows('int_incremental_scope_resolved') -%}
        where 1 = 0
    {%- endif -%}
{%- endmacro %}


{#
    on-run-end: move the ledger to this run's start when every model tagged
    `ai_incremental` ran without an error in this run.
#}
{% macro advance_incremental_ledger(results) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set required = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.package_name == 'ai_product_analytics'
        and 'ai_incremental' in node.tags
        and node.config.enabled -%}
        {%- do required.append(node.unique_id) -%}
    {%- endfor -%}
    {%- set succeeded = [] -%}
    {%- for result in results
        if result.node.unique_id in required and result.status == 'success' -%}
        {%- do succeeded.append(result.node.unique_id) -%}
    {%- endfor -%}
    {%- set ledger = ai_product_analytics.incremental_ledger_relation() -%}
    {%- if ledger is none or required | length == 0 or (succeeded | unique | list | length) < required | length -%}
        {{ return('') }}
    {%- endif -%}
    {%- set ended = modules.datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- do run_query('create or replace table ' ~ ledger
        ~ ' (last_complete_run_at ' ~ dbt.type_timestamp()
        ~ ', last_complete_run_ended_at ' ~ dbt.type_timestamp()
        ~ ', settings_fingerprint ' ~ dbt.type_string() ~ ')') -%}
    {%- do run_query('insert into ' ~ ledger
        ~ ' (last_complete_run_at, last_complete_run_ended_at, settings_fingerprint) values ('
        ~ ai_product_analytics.run_started_literal() ~ ", cast('" ~ ended ~ "' as "
        ~ dbt.type_timestamp() ~ "), '" ~ ai_product_analytics.incremental_settings_fingerprint() ~ "')") -%}
    {{ return('') }}
{%- endmacro %}


{# Short forms for the models' CTEs: `where` the rows are in this run's scope. #}
{% macro where_events_in_scope(kind, resolved=false) -%}
    {%- set scope_model = 'int_incremental_scope_resolved' if resolved else 'int_incremental_scope' -%}
    {%- if kind == 'prompt' -%}
    {{ ai_product_analytics.where_in_scope(
        ai_product_analytics.prompt_scope_condition('event_id', scope_model)) }}
    {%- else -%}
    {{ ai_product_analytics.where_in_scope(
        ai_product_analytics.in_event_scope('conversation_id', kind, 'event_id', scope_model)) }}
    {%- endif -%}
{%- endmacro %}

{% macro where_day_in_scope(column) -%}
    {{ ai_product_analytics.where_in_scope(ai_product_analytics.day_scope_condition(column)) }}
{%- endmacro %}

{% macro where_conversation_in_scope() -%}
    {{ ai_product_analytics.where_in_scope(
        ai_product_analytics.conversation_scope_condition('conversation_id')) }}
{%- endmacro %}

{% macro where_session_in_scope() -%}
    {{ ai_product_analytics.where_in_scope(ai_product_analytics.session_scope_condition()) }}
{%- endmacro %}

{# `and <condition>` on a scoped run, nothing otherwise (for CTEs that already filter). #}
{% macro and_in_scope(condition) -%}
    {{ ai_product_analytics.scope_clause('and', condition) }}
{%- endmacro %}
