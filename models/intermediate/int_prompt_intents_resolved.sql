{#
    The intent of every prompt, by the precedence in docs/definitions.md:
    the prompt event's own label, then the label of the earliest response of
    its turn that carries one, else `unclassified`. Only names in the intent
    taxonomy seed count.
#}
with prompts as (
    select * from {{ ref('stg_rudderstack__prompts') }}
),

taxonomy as (
    select distinct lower(trim(intent_name)) as intent_name
    from {{ ref('ai_intent_taxonomy') }}
),

links as (
    select * from {{ ref('int_events_linked_to_prompts') }}
    where event_kind = 'response'
),

responses as (
    select * from {{ ref('int_responses_priced') }}
),

valid_response_intents as (
    select
        links.prompt_event_id,
        responses.event_intent as intent,
        row_number() over (
            partition by links.prompt_event_id
            order by responses.event_at, responses.event_id
        ) as response_rank
    from links
    inner join responses on links.event_id = responses.event_id
    inner join taxonomy on responses.event_intent = taxonomy.intent_name
    where links.prompt_event_id is not null
),

first_response_intents as (
    select prompt_event_id, intent
    from valid_response_intents
    where response_rank = 1
),

final as (
    select
        prompts.event_id as prompt_event_id,
        case
            when event_taxonomy.intent_name is not null then prompts.event_intent
            when first_response_intents.intent is not null then first_response_intents.intent
            else 'unclassified'
        end as intent,
        case
            when event_taxonomy.intent_name is not null then 'event'
            when first_response_intents.intent is not null then 'response'
            else 'unclassified'
        end as intent_source
    from prompts
    left join taxonomy as event_taxonomy
        on prompts.event_intent = event_taxonomy.intent_name
    left join first_response_intents
        on prompts.event_id = first_response_intents.prompt_event_id
)

select * from final
