{#
    Incremental like the event tables (load-time cursor), keyed by (table,
    event id, column): a run stages only the discards loaded since the last
    one, and a row replaces the staged one of its key only when it is the
    later delivery (latest received_at, then latest load). Rows without a
    table name, event id or column name cannot be put back into any event,
    so they are not staged.
#}
{{ config(
    materialized='incremental',
    unique_key=['table_name', 'row_id', 'column_name'],
) }}
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

latest_deliveries as (
    select *
    from renamed
    where table_name is not null and row_id is not null and column_name is not null
    qualify row_number() over (
        partition by table_name, row_id, column_name
        order by received_at desc nulls last, loaded_at desc nulls last
    ) = 1
),

final as (
    select batch.*
    from latest_deliveries as batch
    {%- if is_incremental() %}
    -- Only a later delivery than the staged one replaces it.
    left join {{ this }} as staged
        on
            batch.table_name = staged.table_name
            and batch.row_id = staged.row_id
            and batch.column_name = staged.column_name
    where
        staged.row_id is null
        or {{ ai_product_analytics.is_later_delivery('batch', 'staged') }}
    {%- endif %}
)

select * from final
