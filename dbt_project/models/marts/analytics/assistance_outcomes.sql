-- Assistance given (any event on or before the report date) and how many of the children
-- who received it are back in education on that date.
with first_given as (
    -- a child counts as assisted from the first time it was given the assistance
    select child_id, assistance, min(recorded_on) as first_given_on
    from {{ ref('int_tracking_event_assistance') }}
    group by all
),

assisted as (
    select dates.report_date, first_given.child_id, first_given.assistance
    from {{ ref('dim_report_dates') }} as dates
    inner join first_given
        on first_given.first_given_on <= dates.report_date
)

select
    assisted.report_date,
    assisted.assistance,
    count(*) as children_assisted,
    {{ count_where("status.status_code = 1") }} as children_returned,
    cast(round(100.0 * {{ count_where("status.status_code = 1") }} / count(*), 2) as double) as return_rate_pct
from assisted
inner join {{ ref('int_child_status_on_report_dates') }} as status
    on status.report_date = assisted.report_date
    and status.child_id = assisted.child_id
group by all
