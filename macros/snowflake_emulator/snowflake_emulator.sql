{#
    Snowflake emulator support (CI only): lets dbt-snowflake run on fakesnow,
    which emulates Snowflake on DuckDB (scripts/snowflake_emulator_check.py).

    DuckDB keeps temporary relations in its own `temp` catalog and rejects
    `create temporary table|view <db>.<schema>.<name>`, the statement
    dbt-snowflake uses for unit tests (the empty-result table whose column types
    the expected rows are cast to) and for the tmp relation of incremental runs.
    Under the emulator those relations are created as ordinary tables and
    views in the same place instead; dbt drops them itself once done.

    Why this is inert on a real Snowflake:
    - the switch is the environment variable AI_ANALYTICS_SNOWFLAKE_EMULATOR=1,
      which only the emulator script sets, in its own process, whose Snowflake
      connector fakesnow has patched (it never reaches a network). Without it
      each macro below calls dbt-snowflake's own implementation (`dbt.<name>`)
      with the same arguments, so the SQL sent is the adapter's own.
      The switch matters because dbt resolves these names to this file for
      the package's own nodes even where the package is installed as a
      dependency (dbt searches a node's own package first);
    - even when set, only `temporary` relations change, and into statements a
      real Snowflake accepts too (a transient table, a plain view): models,
      seeds and tests build exactly as dbt-snowflake writes them.
#}

{% macro snowflake_emulator_enabled() %}
    {{ return(target.type == 'snowflake'
              and env_var('AI_ANALYTICS_SNOWFLAKE_EMULATOR', '0') == '1') }}
{% endmacro %}


{# Overrides dbt-snowflake's macro (relations/table/create.sql) in this project. #}
{% macro snowflake__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {%- if temporary and language == 'sql' and ai_product_analytics.snowflake_emulator_enabled() -%}
        {{ dbt.snowflake__create_table_transient_sql(relation, compiled_code) }}
    {%- else -%}
        {{ dbt.snowflake__create_table_as(temporary, relation, compiled_code, language) }}
    {%- endif -%}
{%- endmacro %}


{# Overrides dbt-snowflake's macro (relations/view/create.sql): the incremental tmp view. #}
{% macro snowflake__create_view_as_with_temp_flag(relation, sql, is_temporary=False) -%}
    {{ dbt.snowflake__create_view_as_with_temp_flag(
        relation, sql, is_temporary and not ai_product_analytics.snowflake_emulator_enabled()
    ) }}
{%- endmacro %}
