{# Rows whose value lies outside [min_value, max_value] (NULLs pass). #}
{% test between(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }}
from {{ model }}
where
    {% if min_value is not none %}{{ column_name }} < {{ min_value }}{% else %}1 = 0{% endif %}
    {% if max_value is not none %}or {{ column_name }} > {{ max_value }}{% endif %}
{% endtest %}


{# Rows whose combination of `columns` is not unique (the grain of a mart). #}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}


{#
    Rows whose intent is neither a name in the intent taxonomy seed nor one of
    the package's reserved labels.
#}
{% test valid_intent(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in ('unclassified', 'not_sampled', 'unknown')
    and {{ column_name }} not in (
        select lower(trim(intent_name)) from {{ ref('ai_intent_taxonomy') }}
    )
{% endtest %}


{# Price rows of one model whose validity ranges overlap (a response would be priced twice). #}
{% test no_overlapping_prices(model) %}
select a.model, a.valid_from, b.valid_from as overlapping_valid_from
from {{ model }} as a
inner join {{ model }} as b
    on lower(trim(a.model)) = lower(trim(b.model))
    and a.valid_from < b.valid_from
    and (a.valid_to is null or a.valid_to > b.valid_from)
{% endtest %}


{#
    `not_null` for many columns in one scan: one row of NULL counts (a column
    per tested column, named `<column>_nulls`) when any of them has a NULL.
    For the big grains, where a test per column would read the table once each.
#}
{% test no_nulls(model, columns) %}
with null_counts as (
    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as {{ column }}_nulls{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
)

select * from null_counts
where
    {%- for column in columns %}
    {{ "or " if not loop.first }}{{ column }}_nulls > 0
    {%- endfor %}
{% endtest %}
