{#
    MetricFlow's time spine: one row per UTC day from 2020-01-01 to 2040-12-31.
    The semantic layer joins metrics to it when a query asks for days without data.
#}
{{ config(materialized='table') }}

with days as (
    {{ dbt.date_spine(
        'day',
        "cast('2020-01-01' as date)",
        "cast('2040-12-31' as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
