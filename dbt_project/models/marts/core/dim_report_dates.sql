-- The report dates this build was asked for (dbt var report_dates), each with the one
-- before it: bulletins compare a report date with its previous one.
with requested as (
    {{ report_dates_relation() }}
)

select
    report_date,
    lag(report_date) over (order by report_date) as previous_report_date,
    row_number() over (order by report_date) as report_date_order
from (select distinct report_date from requested) as dates
