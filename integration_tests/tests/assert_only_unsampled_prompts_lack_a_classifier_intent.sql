-- With intent_sample_pct 50, the override bucket (macros/sample_bucket.sql)
-- and one always-classified user, the expected sampling decision is computed
-- here from first principles. No prompt is `unclassified` (the offline
-- classifier labels every sampled prompt); `not_sampled` only for users out
-- of the sample; a classifier label only for users in it. Both kinds of user
-- occur, and the cohort user, out of the sample by bucket, got classifier labels.
{%- set cohort_user = 'usr_it_cohort' -%}
{%- set sample_pct = 50 %}

with turns as (
    select
        prompt_event_id,
        user_key,
        intent,
        intent_source,
        (cast(('0x' || right(md5(cast(user_key as varchar)), 8)) as bigint) % 100) as expected_bucket
    from {{ ref('ai_product_analytics', 'fct_ai_prompt_turns') }}
),

judged as (
    select
        *,
        (expected_bucket < {{ sample_pct }} or user_key = '{{ cohort_user }}') as expected_sampled
    from turns
),

wrong_turns as (
    select prompt_event_id, user_key, intent, intent_source, 'wrong intent for sampling' as problem
    from judged
    where intent = 'unclassified'
        or (intent = 'not_sampled' and expected_sampled)
        or (intent_source like 'classifier%' and not expected_sampled)
),

populations as (
    select
        count(case when intent = 'not_sampled' then 1 end) as not_sampled,
        count(case when intent_source like 'classifier%' then 1 end) as classified,
        count(case when user_key = '{{ cohort_user }}' and intent_source like 'classifier%' then 1 end)
            as cohort_classified,
        max(case when user_key = '{{ cohort_user }}' then expected_bucket end) as cohort_bucket
    from judged
),

missing_populations as (
    select
        cast(null as varchar) as prompt_event_id,
        cast(null as varchar) as user_key,
        cast(null as varchar) as intent,
        cast(null as varchar) as intent_source,
        'not_sampled ' || not_sampled || ', classifier ' || classified
            || ', cohort classifier ' || cohort_classified
            || ', cohort bucket ' || coalesce(cast(cohort_bucket as varchar), 'none') as problem
    from populations
    where not_sampled = 0
        or classified = 0
        or cohort_classified = 0
        or coalesce(cohort_bucket, 0) < {{ sample_pct }}
)

select * from wrong_turns
union all
select * from missing_populations
