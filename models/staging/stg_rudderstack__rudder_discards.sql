{#
    Rebuilt whole on every run (a table): it is small, and its rows are keyed
    by (table, event id, column) rather than by event id.
#}
{{ config(materialized='table', unique_key=none) }}
{%- set relation = ai_product_analytics.source_table('rudder_discards') -%}
{%- set columns = ai_product_analytics.source_columns('rudder_discards') -%}

with source as (
    {{ ai_product_analytics.select_source(relation) }}
    {{ ai_product_analytics.incremental_source_filter(columns) }}
),

renamed as (
    select
        {{ ai_product_analytics.staged_column(columns, 'table_name', 'enum') }} as table_name,
        {{ ai_product_analytics.staged_column(columns, 'row_id', 'text') }} as row_id,
        {{ ai_product_analytics.staged_column(columns, 'column_name', 'enum') }} as column_name,
        {{ ai_product_analytics.staged_column(columns, 'column_value', 'text') }} as column_value,
        {{ ai_product_analytics.staged_column(columns, 'reason', 'text') }} as reason,
        {{ ai_product_analytics.staged_column(columns, 'received_at', 'timestamp') }} as received_at,
        {{ ai_product_analytics.staged_column(columns, 'uuid_ts', 'timestamp') }} as loaded_at
    from source
),

final as (
    select *
    from renamed
    where row_id is not null and column_name is not null
    qualify row_number() over (
        partition by table_name, row_id, column_name
        order by received_at desc nulls last, loaded_at desc nulls last
    ) = 1
)

select * from final
