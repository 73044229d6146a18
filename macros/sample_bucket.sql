{#
    A stable bucket 0-99 for a key: the first 8 hex digits of its MD5, as a
    number, modulo 100. The same on every warehouse and in Python
    (`int(md5(key).hexdigest()[:8], 16) % 100`), so a user is in or out of
    the classification sample wherever it is computed.
#}
{% macro sample_bucket(expression) %}
    {{ return(adapter.dispatch('sample_bucket', 'ai_product_analytics')(expression)) }}
{% endmacro %}

{% macro default__sample_bucket(expression) -%}
    (cast(('0x' || substr(md5(cast({{ expression }} as varchar)), 1, 8)) as bigint) % 100)
{%- endmacro %}

{# Snowflake reads hex digits with the 'XXXXXXXX' number format. #}
{% macro snowflake__sample_bucket(expression) -%}
    mod(to_number(substr(md5(cast({{ expression }} as varchar)), 1, 8), 'XXXXXXXX'), 100)
{%- endmacro %}
