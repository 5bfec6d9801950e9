-- One row per cohort child per report date: its status, place, school and latest event
-- on that date. The restricted twin of fct_child_status (it keeps child_id), so that the
-- marts needing more than the status (school, milestones, assistance) find it here
-- instead of joining fct_child_status back to the cohort and the histories.
with report_dates as (
    select report_date from {{ ref('dim_report_dates') }}
),

cohort_on_date as (
    select
        report_dates.report_date,
        cohort.child_id,
        cohort.child_key,
        cohort.first_listed_on,
        cohort.source_agency
    from {{ ref('int_cohort_children') }} as cohort
    inner join report_dates
        on cohort.first_listed_on <= report_dates.report_date
),

with_details as (
    select
        cohort_on_date.*,
        details.education_stage,
        details.province_code,
        details.district_code,
        details.school_code
    from cohort_on_date
    inner join {{ ref('int_child_details_history') }} as details
        on details.child_id = cohort_on_date.child_id
        and details.valid_from <= cohort_on_date.report_date
        and (details.valid_to is null or details.valid_to > cohort_on_date.report_date)
)

select
    with_details.report_date,
    with_details.child_id,
    with_details.child_key,
    -- no event yet: still being tracked
    coalesce(status.status_code, 4) as status_code,
    with_details.education_stage,
    with_details.source_agency,
    with_details.province_code,
    with_details.district_code,
    with_details.school_code,
    with_details.first_listed_on,
    {{ dbt.datediff('with_details.first_listed_on', 'with_details.report_date', 'day') }} as days_since_listing,
    -- before any event, and through a first run of "being tracked" events, the child has
    -- been in status 4 since it was listed
    case
        when status.status_code is null or (status.status_code = 4 and status.status_run = 1)
            then with_details.first_listed_on
        else status.status_since
    end as status_since,
    status.valid_from as last_event_on,
    status.last_event_at,
    status.last_tracker_org,
    status.last_reason_code,
    status.last_placement
from with_details
left join {{ ref('int_child_status_history') }} as status
    on status.child_id = with_details.child_id
    and status.valid_from <= with_details.report_date
    and (status.valid_to is null or status.valid_to > with_details.report_date)
