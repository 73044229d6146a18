{#
    Post-hook of incremental Python models on DuckDB: dbt-duckdb stages the
    new rows of an incremental Python model in a `<model>__dbt_tmp<stamp>`
    table and can leave it behind in the database's default schema. Drop any
    such table, so nothing stays outside the schemas the package builds into.
#}
{% macro drop_leftover_temp_tables() %}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set leftovers = run_query(
            "select table_schema, table_name from information_schema.tables "
            ~ "where table_catalog = current_database() "
            ~ "and table_name like '" ~ this.identifier ~ "__dbt_tmp%'"
        ) -%}
        {%- for row in leftovers.rows -%}
            {%- do run_query('drop table if exists "' ~ row[0] ~ '"."' ~ row[1] ~ '"') -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as temp_tables_dropped
{% endmacro %}
