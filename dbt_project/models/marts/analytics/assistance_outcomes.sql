-- Assistance given (any event on or before the report date) and how many of the children
-- who received it are back in education on that date.
with first_given as (
    -- a child counts as assisted from the first time it was given the assistance
    select child_id, assistance, min(recorded_on) as first_given_on
    from {{ ref('int_tracking_event_assistance') }}
    group by all
)

select
    status.report_date,
    first_given.assistance,
    count(*) as children_assisted,
    {{ count_where("status.status_code = 1") }} as children_returned,
    cast(round(100.0 * {{ count_where("status.status_code = 1") }} / count(*), 2) as double) as return_rate_pct
-- each assisted child's rows from the first time it was given the assistance on (one
-- join on the child, not a row per report date and child to join again)
from first_given
inner join {{ ref('int_child_status_on_report_dates') }} as status
    on status.child_id = first_given.child_id
    and first_given.first_given_on <= status.report_date
group by all
