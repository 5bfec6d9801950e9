-- Assistance given (any event on or before the report date) and how many of the children
-- who received it are back in education on that date.
with assisted as (
    select distinct dates.report_date, given.child_id, given.assistance
    from {{ ref('dim_report_dates') }} as dates
    inner join {{ ref('int_tracking_event_assistance') }} as given
        on given.recorded_on <= dates.report_date
)

select
    assisted.report_date,
    assisted.assistance,
    count(*) as children_assisted,
    {{ count_where("status.status_code = 1") }} as children_returned,
    cast(round(100.0 * {{ count_where("status.status_code = 1") }} / count(*), 2) as double) as return_rate_pct
from assisted
inner join {{ ref('int_cohort_children') }} as cohort
    on cohort.child_id = assisted.child_id
inner join {{ ref('fct_child_status') }} as status
    on status.report_date = assisted.report_date
    and status.child_key = cohort.child_key
group by all
