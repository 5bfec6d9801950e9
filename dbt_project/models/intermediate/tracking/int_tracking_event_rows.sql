-- Every tracking event row of every accepted export, with the quarantine reason of
-- docs/business-rules.md §4 (null when the row is used).
--
-- A row depends on its own export's rows and on who the lists name, never on another
-- export: built one export at a time (macros/staged_by_file.sql), so a run that brings
-- no new list checks the new export only; a changed lists' side checks every export.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='file_name',
    on_schema_change='sync_all_columns',
) }}

{%- set listed_ids -%}
    select distinct child_id as delivered_id, identity_key
    from {{ ref('int_child_listings_resolved') }}
    where id_type is not null
{%- endset -%}

{%- set cohort_children -%}
    select child_id as identity_key, first_listed_on from {{ ref('int_cohort_children') }}
{%- endset -%}

{%- set lists_version -%}
    (
        select {{ rows_digest("concat_ws('|', part, coalesce(id, ''), coalesce(value, ''))") }}
        from (
            select 'id' as part, delivered_id as id, identity_key as value from ({{ listed_ids }}) as ids
            union all
            select 'cohort', identity_key, cast(first_listed_on as {{ dbt.type_string() }}) from ({{ cohort_children }}) as children
        ) as lists_side
    )
{%- endset -%}

{% call built_by_file(ref('stg_tracking__events'), inputs_version=lists_version) %}
with events as (
    select * from source
),

-- the child a delivered ID names: itself when valid, or the identity its list rows resolved to
identities as (
    {{ listed_ids }}
),

cohort as (
    {{ cohort_children }}
),

checked as (
    select
        events.*,
        identities.identity_key,
        cohort.first_listed_on,
        -- in the order of quarantine_reasons.rule_order (tests/test_rule_order.py)
        case
            when events.row_problem is not null or events.event_id is null then 'malformed_row'
            when events.child_id is null then 'missing_id'
            when events.id_type is null then 'malformed_id'
            when events.recorded_at is null then 'unparseable_date'
            when events.recorded_on > events.export_date then 'impossible_date'
            when events.status_code is null then 'unknown_status'
        end as row_rule_broken
    from events
    left join identities
        on identities.delivered_id = events.child_id
    left join cohort
        on cohort.identity_key = identities.identity_key
),

deduplicated as (
    select
        *,
        case
            when row_rule_broken is null
                then row_number() over (
                    partition by file_name, event_id, row_rule_broken is null
                    order by row_number
                )
        end as occurrence_in_file
    from checked
)

select
    file_name,
    row_number,
    export_date,
    event_id,
    citizen_id_raw,
    child_id,
    id_type,
    identity_key,
    recorded_at_raw,
    recorded_at,
    recorded_on,
    status_raw,
    status_code,
    tracker_org,
    placement,
    reason_code,
    assistance,
    note,
    first_listed_on,
    staging_version,
    case
        when row_rule_broken is not null then row_rule_broken
        when occurrence_in_file > 1 then 'duplicate_in_file'
        when first_listed_on is null then 'event_unknown_child'
        when recorded_on < first_listed_on then 'event_before_listing'
    end as quarantine_reason
from deduplicated
{% endcall %}
