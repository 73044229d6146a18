{#
    Reconciliation: for every event table, the distinct message ids in the
    raw table equal the ids staged plus the ids quarantined as excluded.
    Rows returned are tables where the equation fails.
#}
{%- set tables = ai_product_analytics.event_table_models() -%}

with
{% for table_key, staging_model in tables %}
{%- set relation = ai_product_analytics.source_table(table_key) -%}
{%- set columns = ai_product_analytics.source_columns(table_key) -%}

{{ table_key }}_counts as (
    select
        '{{ table_key }}' as table_name,
        (
            select count(distinct {{ ai_product_analytics.staged_column(columns, 'id', 'text') }})
            from ({{ ai_product_analytics.select_source(relation) }}) as source
        ) as raw_ids,
        (select count(*) from {{ ref(staging_model) }}) as staged_ids,
        (
            select count(distinct event_id) from {{ ref('stg_rudderstack__quarantine') }}
            where table_name = '{{ table_key }}' and is_excluded and event_id is not null
        ) as excluded_ids
){{ "," if not loop.last }}
{% endfor %}

{% for table_key, staging_model in tables %}
select * from {{ table_key }}_counts
where raw_ids <> staged_ids + excluded_ids
{% if not loop.last %}union all{% endif %}
{% endfor %}
