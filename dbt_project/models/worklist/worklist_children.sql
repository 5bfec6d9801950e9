-- The follow-up worklist for the field teams (restricted: it names children): every child
-- not yet found (status 3 not found, 4 being tracked) on the latest report date, with its
-- school and district, how long since it was listed and since its latest event, and who
-- should act now: the school it left for the first worklist_district_after_days days,
-- then the district's partner agencies (MOU: village heads, health volunteers, ...), and
-- after worklist_province_after_days days the province's committee (seed 000, 003).
with latest as (
    select max(report_date) as report_date from {{ ref('dim_report_dates') }}
),

listing as (
    -- the details in effect: the child's latest list row on or before the report date
    select resolved.*
    from {{ ref('int_child_listings_resolved') }} as resolved
    inner join latest on resolved.list_date <= latest.report_date
    qualify row_number() over (
        partition by resolved.identity_key
        order by resolved.list_date desc, resolved.agency_priority, resolved.file_name, resolved.row_number
    ) = 1
)

select
    follow_up.report_date,
    follow_up.child_key,
    cohort.child_id,
    listing.name_prefix,
    listing.first_name,
    listing.last_name,
    listing.sex,
    listing.school_code,
    listing.school_name,
    follow_up.source_agency,
    follow_up.province_code,
    follow_up.district_code,
    listing.subdistrict_code,
    follow_up.status_code,
    follow_up.first_listed_on,
    follow_up.days_since_listing,
    follow_up.latest_event_on,
    follow_up.days_since_latest_event,
    follow_up.latest_tracker_org,
    case
        when follow_up.days_since_listing <= {{ var('worklist_district_after_days') }} then 'school'
        when follow_up.days_since_listing <= {{ var('worklist_province_after_days') }} then 'district_partners'
        else 'province_committee'
    end as escalation_level
from {{ ref('fct_child_follow_up') }} as follow_up
inner join latest on latest.report_date = follow_up.report_date
inner join {{ ref('int_cohort_children') }} as cohort
    on cohort.child_key = follow_up.child_key
inner join listing
    on listing.identity_key = cohort.child_id
where follow_up.status_code in (3, 4)
