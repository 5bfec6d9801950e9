-- One row per cohort child per report date: its status, stage, agency and place on
-- that date. Pseudonymous: child_key only, no personal data.
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
    status_since,
    last_event_at,
    last_tracker_org
from {{ ref('int_child_status_on_report_dates') }}
