-- One row per cohort child per report date with what the follow-up knows on that date:
-- the latest event's reason and placement, when the child was first contacted and found,
-- and how long ago. Pseudonymous (child_key), like fct_child_status.
with milestones as (
    select
        status.*,
        cohort.id_type,
        cohort.agencies_listing,
        case when m.first_contact_on <= status.report_date then m.first_contact_on end as first_contact_on,
        case when m.first_contact_on <= status.report_date then m.first_contact_org end as first_contact_org,
        case when m.first_found_on <= status.report_date then m.first_found_on end as first_found_on,
        case when m.first_returned_on <= status.report_date then m.first_returned_on end as first_returned_on
    from {{ ref('int_child_status_on_report_dates') }} as status
    inner join {{ ref('int_cohort_children') }} as cohort
        on cohort.child_id = status.child_id
    left join {{ ref('int_child_tracking_milestones') }} as m
        on m.child_id = status.child_id
)

select
    report_date,
    child_key,
    status_code,
    education_stage,
    source_agency,
    province_code,
    district_code,
    first_listed_on,
    days_since_listing,
    id_type = 'none' as is_listed_without_id,
    agencies_listing > 1 as is_listed_by_several_agencies,
    first_contact_on,
    first_contact_org,
    {{ dbt.datediff('first_listed_on', 'first_contact_on', 'day') }} as days_to_first_contact,
    first_found_on,
    {{ dbt.datediff('first_listed_on', 'first_found_on', 'day') }} as days_to_found,
    first_returned_on,
    last_event_on as latest_event_on,
    {{ dbt.datediff('last_event_on', 'report_date', 'day') }} as days_since_latest_event,
    last_tracker_org as latest_tracker_org,
    last_reason_code as latest_reason_code,
    last_placement as latest_placement
from milestones
