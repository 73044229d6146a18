-- The floor: six marts computed by hand, in one DuckDB script, straight from
-- the raw RudderStack tables (schema `rudderstack`), to see how much time the
-- package spends above what the work itself costs.
--
-- Same rules as docs/definitions.md, for spec v0.1 tables (the demo default):
-- one row per event id (latest received_at, then latest uuid_ts); UTC days;
-- user_key = user_id, else anonymous_id; enums lower(trim()); values the
-- loader set aside in rudder_discards put back; a response or action belongs
-- to the latest prompt of its conversation at or before it (ties: the larger
-- prompt id); a prompt's intent is its own valid classified_intent, else the
-- earliest valid label on a response of its turn, else 'unclassified' (no
-- batch classifier here); a response or action without a prompt keeps its own
-- valid label, else 'unknown'; cost is `cost`, else derived from the price
-- list below (exact model name first, then a dated snapshot of it).
--
-- Not covered: spec v0.3 tables and columns (interaction ids, retractions),
-- which the v0.1 demo data does not have. Results land in schema bench_floor.
-- Run: python -c "import duckdb, sys; duckdb.connect(sys.argv[1]).execute(open(sys.argv[2]).read())" db floor.sql

create schema if not exists bench_floor;

create or replace temp table taxonomy as
select * from (values
    ('product_inquiry'), ('support_shipping'), ('support_returns'),
    ('technical_support'), ('account_management'), ('other')
) as t (intent_name);

create or replace temp table prices as
select
    model,
    input_usd_per_1m,
    output_usd_per_1m,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to
from (values
    ('gpt-4o', 5.00, 15.00, '2024-05-13', '2024-10-01'),
    ('gpt-4o', 2.50, 10.00, '2024-10-01', null),
    ('gpt-4o-mini', 0.15, 0.60, '2024-07-18', null),
    ('gpt-4', 30.00, 60.00, '2023-03-14', null),
    ('gpt-3.5-turbo', 0.50, 1.50, '2024-01-25', null),
    ('claude-3-5-sonnet', 3.00, 15.00, '2024-06-20', null),
    ('claude-3-5-haiku', 0.80, 4.00, '2024-12-01', null),
    ('claude-3-5-haiku', 1.00, 5.00, '2024-11-04', '2024-12-01'),
    ('gemini-1.5-flash', 0.075, 0.30, '2024-10-01', null),
    ('mistral-7b-instruct', 0.25, 0.25, '2023-09-27', null),
    ('gpt-4.1', 2.00, 8.00, '2025-04-14', null),
    ('gpt-4.1-mini', 0.40, 1.60, '2025-04-14', null),
    ('gpt-4.1-nano', 0.10, 0.40, '2025-04-14', null),
    ('o4-mini', 1.10, 4.40, '2025-04-16', null)
) as p (model, input_usd_per_1m, output_usd_per_1m, valid_from, valid_to);

-- rudder_discards: the latest discarded value per (table, event id, column),
-- one row per (table, event id) with the columns the marts need.
create or replace temp table discards as
with latest as (
    select
        nullif(lower(trim(table_name)), '') as table_name,
        nullif(trim(row_id), '') as row_id,
        nullif(lower(trim(column_name)), '') as column_name,
        nullif(trim(cast(column_value as varchar)), '') as column_value
    from rudderstack.rudder_discards
    where nullif(trim(row_id), '') is not null
        and nullif(lower(trim(column_name)), '') is not null
    qualify row_number() over (
        partition by nullif(lower(trim(table_name)), ''), nullif(trim(row_id), ''),
            nullif(lower(trim(column_name)), '')
        order by received_at desc nulls last, uuid_ts desc nulls last
    ) = 1
)
select
    table_name,
    row_id,
    max(column_value) filter (where column_name = 'action_details_feedback_value') as feedback_value,
    max(column_value) filter (where column_name = 'latency_ms') as latency_ms,
    max(column_value) filter (where column_name = 'token_count_prompt_tokens') as prompt_tokens,
    max(column_value) filter (where column_name = 'token_count_completion_tokens') as completion_tokens,
    max(column_value) filter (where column_name = 'token_count_total_tokens') as total_tokens,
    max(column_value) filter (where column_name = 'cost') as cost
from latest
group by table_name, row_id;

-- Prompts: one row per id, the latest delivery.
create or replace temp table prompts as
select
    nullif(trim(id), '') as event_id,
    coalesce(nullif(trim(user_id), ''), nullif(trim(anonymous_id), '')) as user_key,
    nullif(trim(conversation_id), '') as conversation_id,
    "timestamp" at time zone 'UTC' as event_at,
    cast("timestamp" at time zone 'UTC' as date) as date_day,
    case
        when nullif(lower(trim(classified_intent)), '') in (select intent_name from taxonomy)
            then nullif(lower(trim(classified_intent)), '')
    end as own_intent
from rudderstack.ai_user_prompt_created
where nullif(trim(id), '') is not null
qualify row_number() over (
    partition by nullif(trim(id), '')
    order by received_at desc nulls last, uuid_ts desc nulls last
) = 1;

-- Responses: one row per id, discarded numbers put back, cost reported or derived.
create or replace temp table responses as
with deduplicated as (
    select
        nullif(trim(r.id), '') as event_id,
        nullif(trim(r.conversation_id), '') as conversation_id,
        r."timestamp" at time zone 'UTC' as event_at,
        cast(r."timestamp" at time zone 'UTC' as date) as date_day,
        nullif(lower(trim(r.model_used)), '') as model_used,
        coalesce(cast(r.latency_ms as double), try_cast(trim(d.latency_ms) as double)) as latency_ms,
        coalesce(cast(r.token_count_prompt_tokens as bigint), try_cast(trim(d.prompt_tokens) as bigint))
            as prompt_tokens,
        coalesce(
            cast(r.token_count_completion_tokens as bigint), try_cast(trim(d.completion_tokens) as bigint)
        ) as completion_tokens,
        coalesce(cast(r.token_count_total_tokens as bigint), try_cast(trim(d.total_tokens) as bigint))
            as reported_total_tokens,
        coalesce(cast(r.cost as double), try_cast(trim(d.cost) as double)) as reported_cost_usd,
        case
            when nullif(lower(trim(r.classified_intent)), '') in (select intent_name from taxonomy)
                then nullif(lower(trim(r.classified_intent)), '')
        end as own_intent
    from rudderstack.ai_llm_response_received as r
    left join discards as d
        on d.table_name = 'ai_llm_response_received' and d.row_id = nullif(trim(r.id), '')
    where nullif(trim(r.id), '') is not null
    qualify row_number() over (
        partition by nullif(trim(r.id), '')
        order by r.received_at desc nulls last, r.uuid_ts desc nulls last
    ) = 1
),

price_matches as (
    select
        deduplicated.event_id,
        prices.input_usd_per_1m,
        prices.output_usd_per_1m
    from deduplicated
    inner join prices
        on deduplicated.date_day >= prices.valid_from
        and (prices.valid_to is null or deduplicated.date_day < prices.valid_to)
        and (
            deduplicated.model_used = prices.model
            or (
                deduplicated.model_used like prices.model || '-%'
                and regexp_full_match(
                    right(deduplicated.model_used, length(deduplicated.model_used) - length(prices.model) - 1),
                    '[0-9]{4}-?[0-9]{2}-?[0-9]{2}'
                )
            )
        )
    where deduplicated.reported_cost_usd is null
    qualify row_number() over (
        partition by deduplicated.event_id
        order by
            case when deduplicated.model_used = prices.model then 0 else 1 end,
            length(prices.model) desc,
            prices.valid_from desc
    ) = 1
)

select
    deduplicated.* exclude (reported_total_tokens, reported_cost_usd),
    coalesce(reported_total_tokens, prompt_tokens + completion_tokens) as total_tokens,
    coalesce(
        reported_cost_usd,
        prompt_tokens * price_matches.input_usd_per_1m / 1000000.0
        + completion_tokens * price_matches.output_usd_per_1m / 1000000.0
    ) as cost_usd,
    (
        reported_cost_usd is null
        and prompt_tokens is not null
        and completion_tokens is not null
        and price_matches.input_usd_per_1m is not null
    ) as is_cost_derived
from deduplicated
left join price_matches on deduplicated.event_id = price_matches.event_id;

-- Actions: one row per id, the feedback value read back from rudder_discards.
create or replace temp table actions as
with deduplicated as (
    select
        nullif(trim(a.id), '') as event_id,
        nullif(trim(a.conversation_id), '') as conversation_id,
        a."timestamp" at time zone 'UTC' as event_at,
        nullif(lower(trim(a.action_type)), '') as action_type,
        nullif(lower(trim(a.action_details_feedback_type)), '') as feedback_type,
        coalesce(
            nullif(lower(trim(cast(a.action_details_feedback_value as varchar))), ''),
            nullif(lower(trim(d.feedback_value)), '')
        ) as feedback_value,
        case
            when nullif(lower(trim(a.classified_intent)), '') in (select intent_name from taxonomy)
                then nullif(lower(trim(a.classified_intent)), '')
        end as own_intent
    from rudderstack.ai_user_action as a
    left join discards as d
        on d.table_name = 'ai_user_action' and d.row_id = nullif(trim(a.id), '')
    where nullif(trim(a.id), '') is not null
    qualify row_number() over (
        partition by nullif(trim(a.id), '')
        order by a.received_at desc nulls last, a.uuid_ts desc nulls last
    ) = 1
)
select
    *,
    case when feedback_type = 'rating' then try_cast(feedback_value as double) end as rating_value,
    case
        when feedback_type = 'thumbs' and feedback_value in ('true', 't', 'yes', 'y', 'up', '1', '1.0') then true
        when feedback_type = 'thumbs' and feedback_value in ('false', 'f', 'no', 'n', 'down', '0', '0.0') then false
    end as is_thumbs_up
from deduplicated;

-- Linking: the latest prompt of the conversation at or before the event. One
-- prompt per (conversation, instant), the larger id, then an ASOF join.
create or replace temp table prompt_instants as
select conversation_id, event_at, max(event_id) as prompt_event_id
from prompts
where conversation_id is not null and event_at is not null
group by conversation_id, event_at;

create or replace temp table responses_linked as
select responses.*, prompt_instants.prompt_event_id
from responses
asof left join prompt_instants
    on responses.conversation_id = prompt_instants.conversation_id
    and responses.event_at >= prompt_instants.event_at;

create or replace temp table actions_linked as
select actions.*, prompt_instants.prompt_event_id
from actions
asof left join prompt_instants
    on actions.conversation_id = prompt_instants.conversation_id
    and actions.event_at >= prompt_instants.event_at;

-- Prompt turns: intent (own label, else the earliest labelled response), responses, cost.
create or replace temp table prompt_turns as
with first_response_intents as (
    select prompt_event_id, arg_min(own_intent, (event_at, event_id)) as intent
    from responses_linked
    where prompt_event_id is not null and own_intent is not null
    group by prompt_event_id
),

response_totals as (
    select prompt_event_id, count(*) as responses, sum(cost_usd) as cost_usd
    from responses_linked
    where prompt_event_id is not null
    group by prompt_event_id
)

select
    prompts.event_id as prompt_event_id,
    prompts.user_key,
    prompts.conversation_id,
    prompts.event_at as prompt_at,
    prompts.date_day as prompt_date,
    coalesce(prompts.own_intent, first_response_intents.intent, 'unclassified') as intent,
    coalesce(response_totals.responses, 0) as responses,
    response_totals.cost_usd
from prompts
left join first_response_intents on prompts.event_id = first_response_intents.prompt_event_id
left join response_totals on prompts.event_id = response_totals.prompt_event_id;

create or replace temp table responses_attributed as
select
    responses_linked.*,
    coalesce(prompt_turns.intent, responses_linked.own_intent, 'unknown') as intent
from responses_linked
left join prompt_turns on responses_linked.prompt_event_id = prompt_turns.prompt_event_id;

create or replace temp table actions_attributed as
select
    actions_linked.*,
    coalesce(prompt_turns.intent, actions_linked.own_intent, 'unknown') as intent
from actions_linked
left join prompt_turns on actions_linked.prompt_event_id = prompt_turns.prompt_event_id;

-- The six marts.
create or replace table bench_floor.ai_cost_daily as
select
    date_day,
    coalesce(model_used, 'unknown') as model_used,
    count(*) as responses,
    count(distinct conversation_id) as conversations,
    sum(cost_usd) as total_cost_usd,
    sum(case when is_cost_derived then cost_usd end) as derived_cost_usd,
    count(case when is_cost_derived then 1 end) as responses_with_derived_cost,
    count(case when cost_usd is null then 1 end) as responses_without_cost,
    cast(sum(prompt_tokens) as bigint) as prompt_tokens,
    cast(sum(completion_tokens) as bigint) as completion_tokens,
    cast(sum(total_tokens) as bigint) as total_tokens,
    sum(cost_usd) / nullif(count(distinct conversation_id), 0) as cost_per_conversation_usd
from responses_attributed
where date_day is not null
group by all;

create or replace table bench_floor.ai_latency_by_intent as
select
    intent,
    count(*) as responses,
    avg(latency_ms) as avg_latency_ms,
    quantile_cont(latency_ms, 0.50) as p50_latency_ms,
    quantile_cont(latency_ms, 0.95) as p95_latency_ms,
    quantile_cont(latency_ms, 0.99) as p99_latency_ms,
    min(latency_ms) as min_latency_ms,
    max(latency_ms) as max_latency_ms
from responses_attributed
where latency_ms >= 0
group by intent;

create or replace table bench_floor.ai_satisfaction_by_intent as
select
    intent,
    count(*) as actions,
    count(*) filter (where action_type = 'feedback_given') as feedback_events,
    count(*) filter (where feedback_type = 'rating' and rating_value is not null) as ratings,
    avg(rating_value) filter (where feedback_type = 'rating') as avg_rating,
    count(*) filter (where is_thumbs_up is not null) as thumbs,
    count(*) filter (where is_thumbs_up) as thumbs_up,
    100.0 * count(*) filter (where is_thumbs_up)
        / nullif(count(*) filter (where is_thumbs_up is not null), 0) as thumbs_up_rate,
    count(*) filter (where action_type = 'regenerated') as regenerations,
    count(*) filter (where action_type = 'copied_response') as copies,
    count(*) filter (where action_type = 'shared') as shares,
    count(*) filter (where action_type = 'reported') as reports
from actions_attributed
group by intent;

create or replace table bench_floor.ai_engagement_by_user as
select
    user_key,
    count(distinct conversation_id) as conversations,
    count(*) as prompts,
    count(conversation_id) * 1.0 / nullif(count(distinct conversation_id), 0) as avg_prompts_per_conversation,
    count(distinct prompt_date) as active_days,
    cast(sum(responses) as bigint) as responses,
    sum(cost_usd) as total_cost_usd,
    min(prompt_at) as first_prompt_at,
    max(prompt_at) as last_prompt_at
from prompt_turns
where user_key is not null
group by user_key;

create or replace table bench_floor.ai_engagement_daily as
with prompt_days as (
    select
        prompt_date as date_day,
        count(distinct user_key) as active_users,
        count(distinct conversation_id) as conversations,
        count(*) as prompts
    from prompt_turns
    where prompt_date is not null
    group by prompt_date
),

response_days as (
    select date_day, count(*) as responses
    from responses
    where date_day is not null
    group by date_day
)

select
    coalesce(prompt_days.date_day, response_days.date_day) as date_day,
    coalesce(prompt_days.active_users, 0) as active_users,
    coalesce(prompt_days.conversations, 0) as conversations,
    coalesce(prompt_days.prompts, 0) as prompts,
    coalesce(response_days.responses, 0) as responses
from prompt_days
full outer join response_days on prompt_days.date_day = response_days.date_day;

create or replace table bench_floor.ai_intent_distribution as
select
    intent,
    count(*) as prompts,
    100.0 * count(*) / sum(count(*)) over () as pct_of_prompts
from prompt_turns
group by intent;
