-- depends_on: {{ ref('ai_product_analytics', 'int_prompt_intents_classified') }}
-- Nothing the package runs leaves relations outside the schemas dbt builds
-- into: a view left in another schema over the raw prompt table would expose
-- the prompt text the package promises never to copy (the classifier model
-- once left its DuckDB helper views `ai_pa_*` in `main`).
select table_schema, table_name, table_type
from information_schema.tables
where table_catalog = '{{ target.database }}'
    and table_schema not in (
        'product_events',
        '{{ target.schema }}',
        '{{ target.schema }}_ai_staging',
        '{{ target.schema }}_ai_intermediate',
        '{{ target.schema }}_ai_seeds'
    )
