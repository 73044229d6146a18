-- The project's duckdb__sample_bucket (last 8 hex digits of the MD5) replaced
-- the package's (first 8): every bucket the package computed is the override's,
-- and the two formulas disagree for some user, so the check can tell them apart.
with buckets as (
    select
        user_key,
        sample_bucket,
        (cast(('0x' || right(md5(cast(user_key as varchar)), 8)) as bigint) % 100) as override_bucket,
        (cast(('0x' || substr(md5(cast(user_key as varchar)), 1, 8)) as bigint) % 100) as package_bucket
    from {{ ref('ai_product_analytics', 'int_prompts_to_classify') }}
),

summary as (
    select
        count(*) as prompts,
        count(case when sample_bucket <> override_bucket then 1 end) as not_override,
        count(case when override_bucket <> package_bucket then 1 end) as distinguishable
    from buckets
)

select *
from summary
where prompts = 0 or not_override > 0 or distinguishable = 0
