-- The bulletin's status table: children and share per status on each report date,
-- beside the previous report date, with the change.
with counts as (
    select
        dates.report_date,
        dates.previous_report_date,
        statuses.status_code,
        coalesce(sum(summary.children), 0) as children
    from {{ ref('dim_report_dates') }} as dates
    cross join {{ ref('statuses') }} as statuses
    left join {{ ref('status_summary') }} as summary
        on summary.report_date = dates.report_date
        and summary.status_code = statuses.status_code
    group by all
),

shares as (
    {{ largest_remainder_shares('counts', 'report_date', 'status_code', 'children') }}
)

select
    this_date.report_date,
    this_date.previous_report_date,
    this_date.status_code,
    this_date.children,
    this_date.share_pct,
    previous_date.children as previous_children,
    previous_date.share_pct as previous_share_pct,
    this_date.children - previous_date.children as change
from shares as this_date
left join shares as previous_date
    on previous_date.report_date = this_date.previous_report_date
    and previous_date.status_code = this_date.status_code
