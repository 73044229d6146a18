{#
    Overrides the package's dispatched `sample_bucket` on DuckDB (see
    `dispatch:` in dbt_project.yml): the bucket is taken from the LAST 8 hex
    digits of the key's MD5 instead of the first 8. Still a stable 0-99
    bucket, so sampling works as before, but on other users, which
    tests/assert_sample_bucket_override_applied.sql can see.
#}
{% macro duckdb__sample_bucket(expression) -%}
    (cast(('0x' || right(md5(cast({{ expression }} as varchar)), 8)) as bigint) % 100)
{%- endmacro %}
