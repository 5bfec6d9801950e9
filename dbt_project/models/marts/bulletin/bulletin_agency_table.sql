-- The national bulletin's table by agency: children per agency (the one each child
-- counts under) and status on each report date, zeros included, with the agency's total
-- and the share of its children found (percent, two decimals, rounded half up). Only
-- agencies with children are printed. National figures: exact.
with cells as (
    select
        dates.report_date,
        agencies.source_agency,
        agencies.agency_priority,
        statuses.status_code,
        statuses.is_found,
        coalesce(sum(summary.children), 0) as children
    from {{ ref('dim_report_dates') }} as dates
    cross join {{ ref('agencies') }} as agencies
    cross join {{ ref('statuses') }} as statuses
    left join {{ ref('status_summary') }} as summary
        on summary.report_date = dates.report_date
        and summary.source_agency = agencies.source_agency
        and summary.status_code = statuses.status_code
    group by all
),

totals as (
    select
        *,
        sum(children) over (partition by report_date, source_agency) as agency_children,
        sum(case when is_found then children else 0 end) over (partition by report_date, source_agency)
            as agency_found_children
    from cells
)

select
    report_date,
    source_agency,
    agency_priority,
    status_code,
    children,
    agency_children,
    agency_found_children,
    case when agency_children > 0
        then cast(round(agency_found_children * 100.0 / agency_children, 2) as decimal(5, 2))
    end as agency_found_pct
from totals
