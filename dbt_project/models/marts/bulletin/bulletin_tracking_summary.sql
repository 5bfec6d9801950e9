-- The written summary (★) of each report date: how many children the trackers found
-- since the previous report date, from which status, and how many of them returned.
select
    transitions.to_report_date as report_date,
    transitions.from_report_date as previous_report_date,
    coalesce(sum(case when from_status_code = 3 and to_status_code in (1, 2) then children end), 0) as found_from_not_found,
    coalesce(sum(case when from_status_code = 4 and to_status_code in (1, 2) then children end), 0) as found_from_being_tracked,
    coalesce(sum(case when from_status_code in (3, 4) and to_status_code in (1, 2) then children end), 0) as found_total,
    coalesce(sum(case when from_status_code in (3, 4) and to_status_code = 1 then children end), 0) as found_and_returned,
    coalesce(sum(case when from_status_code in (3, 4) and to_status_code = 2 then children end), 0) as found_not_returned,
    coalesce(sum(case when from_status_code is null then children end), 0) as new_to_cohort
from {{ ref('status_transitions') }} as transitions
group by transitions.to_report_date, transitions.from_report_date
