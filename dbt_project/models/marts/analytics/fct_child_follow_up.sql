-- One row per cohort child per report date with what the follow-up knows on that date:
-- the latest event's reason and placement, when the child was first contacted and found,
-- and how long ago. Pseudonymous (child_key), like fct_child_status.
with milestones as (
    select
        status.report_date,
        status.child_key,
        cohort.child_id,
        cohort.id_type,
        cohort.agencies_listing,
        case when m.first_contact_on <= status.report_date then m.first_contact_on end as first_contact_on,
        case when m.first_contact_on <= status.report_date then m.first_contact_org end as first_contact_org,
        case when m.first_found_on <= status.report_date then m.first_found_on end as first_found_on,
        case when m.first_returned_on <= status.report_date then m.first_returned_on end as first_returned_on
    from {{ ref('fct_child_status') }} as status
    inner join {{ ref('int_cohort_children') }} as cohort
        on cohort.child_key = status.child_key
    left join {{ ref('int_child_tracking_milestones') }} as m
        on m.child_id = cohort.child_id
),

latest as (
    select
        history.child_id,
        dates.report_date,
        events.tracker_org as latest_tracker_org,
        events.reason_code as latest_reason_code,
        events.placement as latest_placement,
        history.valid_from as latest_event_on
    from {{ ref('dim_report_dates') }} as dates
    inner join {{ ref('int_child_status_history') }} as history
        on history.valid_from <= dates.report_date
        and (history.valid_to is null or history.valid_to > dates.report_date)
    inner join {{ ref('int_tracking_events') }} as events
        on events.event_id = history.last_event_id
)

select
    status.report_date,
    status.child_key,
    status.status_code,
    status.education_stage,
    status.source_agency,
    status.province_code,
    status.district_code,
    status.first_listed_on,
    status.days_since_listing,
    milestones.id_type = 'none' as is_listed_without_id,
    milestones.agencies_listing > 1 as is_listed_by_several_agencies,
    milestones.first_contact_on,
    milestones.first_contact_org,
    {{ dbt.datediff('status.first_listed_on', 'milestones.first_contact_on', 'day') }} as days_to_first_contact,
    milestones.first_found_on,
    {{ dbt.datediff('status.first_listed_on', 'milestones.first_found_on', 'day') }} as days_to_found,
    milestones.first_returned_on,
    latest.latest_event_on,
    {{ dbt.datediff('latest.latest_event_on', 'status.report_date', 'day') }} as days_since_latest_event,
    latest.latest_tracker_org,
    latest.latest_reason_code,
    latest.latest_placement
from {{ ref('fct_child_status') }} as status
inner join milestones
    on milestones.report_date = status.report_date
    and milestones.child_key = status.child_key
left join latest
    on latest.report_date = status.report_date
    and latest.child_id = milestones.child_id
