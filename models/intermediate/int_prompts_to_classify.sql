{#
    Prompts the events give no valid intent, with the sampling decision for
    the batch classifier: a prompt is sampled when its user's stable bucket
    (`sample_bucket(user_key)`, 0-99; a prompt with no user id at all takes
    the bucket of the empty string) is below `intent_sample_pct`, or the
    user is in an always-classify cohort (the var list
    `intent_always_classify_user_keys`, or the model named by
    `intent_cohort_model`, which must have a `user_key` column).
#}
{%- set cohort_keys = var('intent_always_classify_user_keys', []) -%}
{%- set cohort_model = var('intent_cohort_model', none) -%}
{%- set sample_pct = var('intent_sample_pct', 100) -%}
{%- if sample_pct is not number or sample_pct < 0 or sample_pct > 100 -%}
    {{ exceptions.raise_compiler_error(
        "intent_sample_pct must be a number from 0 to 100, got '" ~ sample_pct ~ "'") }}
{%- endif -%}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['ai_incremental'],
    pre_hook="{{ ai_product_analytics.delete_scope(ai_product_analytics.prompt_scope_condition('prompt_event_id', 'int_incremental_scope')) }}",
) }}
-- depends_on: {{ ref('int_incremental_scope') }}

with prompts as (
    select * from {{ ref('stg_rudderstack__prompts') }}
    {{ ai_product_analytics.where_events_in_scope('prompt') }}
),

observed as (
    select * from {{ ref('int_prompt_intents_observed') }}
),

{% if cohort_model %}
cohort_users as (
    select distinct cast(user_key as {{ dbt.type_string() }}) as user_key
    from {{ ref(cohort_model) }}
),
{% endif %}

unlabelled as (
    select
        prompts.event_id as prompt_event_id,
        prompts.user_key,
        prompts.event_at,
        cast(prompts.event_at as date) as date_day
    from prompts
    inner join observed on prompts.event_id = observed.prompt_event_id
    where observed.observed_intent is null
),

final as (
    select
        unlabelled.*,
        {{ ai_product_analytics.sample_bucket("coalesce(unlabelled.user_key, '')") }}
            as sample_bucket,
        (
            {{ ai_product_analytics.sample_bucket("coalesce(unlabelled.user_key, '')") }}
            < {{ sample_pct }}
            {% if cohort_keys %}
            or unlabelled.user_key in (
                {%- for key in cohort_keys %}'{{ key | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
            )
            {% endif %}
            {% if cohort_model %}
            or unlabelled.user_key in (select user_key from cohort_users)
            {% endif %}
        ) as is_sampled
    from unlabelled
)

select * from final
