{#
    One source column, typed for staging.

    columns   the relation's columns (from `relation_columns`)
    name      the column's lowercase name in the RudderStack table
    kind      text | enum | bigint | double | boolean | timestamp
    fallback  optional text expression used when the cell is NULL; staging
              passes the value the loader wrote to `rudder_discards`

    A column the table does not have yields a typed NULL, so a table that
    never received an optional property still builds. A column of an
    unexpected type (the loader types a column by the first value it sees) is
    converted leniently: a value that does not convert becomes NULL.
#}
{% macro staged_column(columns, name, kind, fallback=none) %}
    {%- set column = columns.get(name) -%}
    {%- if column is none -%}
        {%- set typed = none -%}
    {%- else -%}
        {%- set typed = ai_product_analytics.typed_expression(
            adapter.quote(column['name']), column['type'], kind) -%}
    {%- endif -%}
    {%- if fallback is not none and kind != 'timestamp' -%}
        {%- set recovered = ai_product_analytics.typed_expression(fallback, 'VARCHAR', kind) -%}
        {%- if typed is none -%}
            {{ recovered }}
        {%- else -%}
            coalesce({{ typed }}, {{ recovered }})
        {%- endif -%}
    {%- elif typed is none -%}
        cast(null as {{ ai_product_analytics.staged_type(kind) }})
    {%- else -%}
        {{ typed }}
    {%- endif -%}
{% endmacro %}


{% macro staged_type(kind) -%}
    {%- if kind in ('text', 'enum') -%}{{ dbt.type_string() }}
    {%- elif kind == 'bigint' -%}{{ dbt.type_bigint() }}
    {%- elif kind == 'double' -%}double precision
    {%- elif kind == 'boolean' -%}{{ dbt.type_boolean() }}
    {%- elif kind == 'timestamp' -%}{{ dbt.type_timestamp() }}
    {%- else -%}{{ exceptions.raise_compiler_error("staged_column: unknown kind '" ~ kind ~ "'") }}
    {%- endif -%}
{%- endmacro %}


{% macro type_family(data_type) -%}
    {%- set t = data_type | upper -%}
    {%- if 'BOOL' in t -%}boolean
    {%- elif 'TIMESTAMP' in t or t == 'DATE' -%}timestamp
    {%- elif 'CHAR' in t or 'TEXT' in t or 'STRING' in t or 'JSON' in t or 'VARIANT' in t -%}text
    {%- elif 'INT' in t or 'NUMBER' in t or 'NUMERIC' in t or 'DECIMAL' in t
        or 'DOUBLE' in t or 'FLOAT' in t or 'REAL' in t -%}number
    {%- else -%}text
    {%- endif -%}
{%- endmacro %}


{# Boolean spellings accepted from text columns (`up`/`down` are thumbs). #}
{% macro text_to_boolean(expression) -%}
    case
        when lower(trim({{ expression }})) in ('true', 't', 'yes', 'y', 'up', '1', '1.0') then true
        when lower(trim({{ expression }})) in ('false', 'f', 'no', 'n', 'down', '0', '0.0') then false
    end
{%- endmacro %}


{% macro typed_expression(expression, data_type, kind) -%}
    {%- set family = ai_product_analytics.type_family(data_type) -%}
    {%- if kind == 'timestamp' -%}
        {{ ai_product_analytics.to_utc_timestamp(expression, data_type | upper) }}
    {%- elif kind == 'text' -%}
        nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
    {%- elif kind == 'enum' -%}
        nullif(lower(trim(cast({{ expression }} as {{ dbt.type_string() }}))), '')
    {%- elif kind == 'boolean' -%}
        {%- if family == 'boolean' -%}
            {{ expression }}
        {%- elif family == 'number' -%}
            ({{ expression }} <> 0)
        {%- else -%}
            {{ ai_product_analytics.text_to_boolean(expression) }}
        {%- endif -%}
    {%- else -%}
        {%- set target = ai_product_analytics.staged_type(kind) -%}
        {%- if family == 'number' -%}
            cast({{ expression }} as {{ target }})
        {%- elif family == 'boolean' -%}
            cast(cast({{ expression }} as integer) as {{ target }})
        {%- else -%}
            {{ ai_product_analytics.try_cast('trim(' ~ expression ~ ')', target) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#
    True (as SQL) when a source column exists and holds whole numbers only:
    the loader typed it from a first value like `0`, and truncates every
    later decimal (a `cost` of 0.021 is stored as 0).
#}
{% macro is_integer_column(columns, name) -%}
    {%- set column = columns.get(name) -%}
    {%- set t = (column['type'] if column else '') | upper -%}
    {%- if column and ('INT' in t or (('NUMBER' in t or 'DECIMAL' in t or 'NUMERIC' in t) and t.replace(' ', '').endswith(',0)'))) -%}
        true
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}
