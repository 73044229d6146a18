{#
    Raw event rows that could not be used, or only in part, per day received,
    table and reason (see stg_rudderstack__quarantine): the place to look
    when a number seems low.
#}
with quarantine as (
    select * from {{ ref('stg_rudderstack__quarantine') }}
),

final as (
    select
        received_date as date_day,
        table_name,
        reason,
        count(*) as event_rows,
        count(case when is_excluded then 1 end) as excluded_rows
    from quarantine
    group by received_date, table_name, reason
)

select * from final
