{%- set relation = ai_product_analytics.source_table('ai_user_action') -%}
{%- set columns = ai_product_analytics.source_columns('ai_user_action') -%}

with source as {{ ai_product_analytics.not_materialized() }} (
    {{ ai_product_analytics.select_source(relation) }}
    {{ ai_product_analytics.incremental_source_filter(columns) }}
),

discarded as (
    {{ ai_product_analytics.discarded_values('ai_user_action', ['action_details_feedback_value'], columns) }}
),

latest_deliveries as (
    {{ ai_product_analytics.deduplicate_events('source', columns) }}
),

renamed as (
    select
        {{ ai_product_analytics.standard_event_columns(columns) }},
        {{ ai_product_analytics.staged_column(columns, 'conversation_id', 'text') }} as conversation_id,
        {{ ai_product_analytics.staged_column(columns, 'interaction_id', 'text') }} as interaction_id,
        {{ ai_product_analytics.event_intent_columns(columns) }},
        {{ ai_product_analytics.v03_scope_columns(columns) }},
        {{ ai_product_analytics.staged_column(columns, 'action_type', 'enum') }} as action_type,
        {{ ai_product_analytics.staged_column(columns, 'action_details_feedback_type', 'enum') }} as feedback_type,
        -- The value as text, whatever type the loader fixed for the column, with
        -- values it set aside in rudder_discards put back (thumbs after ratings).
        {{ ai_product_analytics.staged_column(
            columns, 'action_details_feedback_value', 'enum',
            'discarded.discarded_action_details_feedback_value') }} as feedback_value,
        {{ ai_product_analytics.text_measures(columns, 'action_details_feedback_text', 'feedback') }}
    from latest_deliveries
    left join discarded
        on {{ ai_product_analytics.staged_column(columns, 'id', 'text') }} = discarded.row_id
),

staged as (
    select
        *,
        case
            -- A plain decimal number only: `nan`, `inf` and words are not ratings.
            when
                feedback_type = 'rating'
                and {{ ai_product_analytics.regex_full_match(
                    'feedback_value', '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)(e[+-]?[0-9]+)?') }}
                then {{ ai_product_analytics.try_cast('feedback_value', 'double precision') }}
        end as rating_value,
        case
            when feedback_type = 'thumbs'
                then {{ ai_product_analytics.text_to_boolean('feedback_value') }}
        end as is_thumbs_up
    from renamed
),

final as (
    {{ ai_product_analytics.keep_only_later_deliveries('staged') }}
)

select * from final
