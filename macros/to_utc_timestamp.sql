{#
    A timestamp column as a naive UTC timestamp, whatever type the loader gave
    it and whatever the session's time zone is. `data_type` is the column's
    type as introspected (uppercase).
#}
{% macro to_utc_timestamp(expression, data_type) %}
    {{ return(adapter.dispatch('to_utc_timestamp', 'ai_product_analytics')(expression, data_type)) }}
{% endmacro %}

{% macro default__to_utc_timestamp(expression, data_type) -%}
    cast({{ expression }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{# DuckDB: `timestamptz at time zone 'UTC'` gives the UTC wall clock as a
   naive timestamp; casting a timestamptz directly would use the session zone. #}
{% macro duckdb__to_utc_timestamp(expression, data_type) -%}
    {%- if 'WITH TIME ZONE' in data_type or 'TIMESTAMPTZ' in data_type -%}
        ({{ expression }} at time zone 'UTC')
    {%- elif 'TIMESTAMP' in data_type or data_type == 'DATE' -%}
        cast({{ expression }} as timestamp)
    {%- else -%}
        (try_cast({{ expression }} as timestamptz) at time zone 'UTC')
    {%- endif -%}
{%- endmacro %}

{# Snowflake: TIMESTAMP_TZ and _LTZ carry an offset; NTZ is taken as UTC. #}
{% macro snowflake__to_utc_timestamp(expression, data_type) -%}
    {%- if 'TIMESTAMP_TZ' in data_type or 'TIMESTAMP_LTZ' in data_type -%}
        cast(convert_timezone('UTC', {{ expression }}) as timestamp_ntz)
    {%- elif 'TIMESTAMP' in data_type or data_type == 'DATE' -%}
        cast({{ expression }} as timestamp_ntz)
    {%- else -%}
        cast(convert_timezone('UTC', try_to_timestamp_tz(cast({{ expression }} as varchar))) as timestamp_ntz)
    {%- endif -%}
{%- endmacro %}
