-- The national bulletin's headline figures per report date: the cohort, how many have
-- been found (statuses flagged is_found) and their share (the sum of the published
-- shares, so it agrees with the status table), how many are still to be found (neither
-- found nor final: not found, being tracked), and the changes since the previous date.
with per_date as (
    select
        status_table.report_date,
        status_table.previous_report_date,
        sum(status_table.children) as cohort,
        sum(status_table.previous_children) as previous_cohort,
        sum(case when statuses.is_found then status_table.children else 0 end) as found_children,
        sum(case when statuses.is_found then status_table.share_pct else 0 end) as found_pct,
        sum(case when statuses.is_found then status_table.previous_children else 0 end) as previous_found_children,
        sum(case when not statuses.is_found and not statuses.is_final then status_table.children else 0 end)
            as to_find_children,
        sum(case when not statuses.is_found and not statuses.is_final then status_table.previous_children else 0 end)
            as previous_to_find_children
    from {{ ref('bulletin_status_table') }} as status_table
    inner join {{ ref('statuses') }} as statuses
        on statuses.status_code = status_table.status_code
    group by all
)

select
    per_date.report_date,
    per_date.previous_report_date,
    per_date.cohort,
    per_date.cohort - per_date.previous_cohort as cohort_change,
    per_date.found_children,
    cast(per_date.found_pct as decimal(5, 2)) as found_pct,
    per_date.found_children - per_date.previous_found_children as found_change,
    per_date.to_find_children,
    per_date.to_find_children - per_date.previous_to_find_children as to_find_change,
    summary.new_to_cohort
from per_date
left join {{ ref('bulletin_tracking_summary') }} as summary
    on summary.report_date = per_date.report_date
