-- Each agency's cohort between consecutive report dates: how much it changed, and
-- whether that stays within var max_cohort_change_pct (checked from a previous cohort of
-- var cohort_drift_min_children on: small cohorts swing widely). A cohort that jumps or drops
-- by more is most likely a wrong delivery (a file duplicated under another agency, a
-- list cut short); the blocking check on this model holds publication back.
with by_agency as (
    select dates.report_date, dates.previous_report_date, agencies.source_agency,
        coalesce(sum(summary.children), 0) as children
    from {{ ref('dim_report_dates') }} as dates
    cross join {{ ref('agencies') }} as agencies
    left join {{ ref('status_summary') }} as summary
        on summary.report_date = dates.report_date
        and summary.source_agency = agencies.source_agency
    group by all
)

select
    current_.report_date,
    current_.previous_report_date,
    current_.source_agency,
    current_.children,
    previous_.children as previous_children,
    case when previous_.children > 0
        then cast(round(100.0 * (current_.children - previous_.children) / previous_.children, 2) as double)
    end as change_pct,
    coalesce(previous_.children < {{ var('cohort_drift_min_children') }}
        or abs(100.0 * (current_.children - previous_.children) / previous_.children) <= {{ var('max_cohort_change_pct') }},
        true) as is_within_bound
from by_agency as current_
left join by_agency as previous_
    on previous_.report_date = current_.previous_report_date
    and previous_.source_agency = current_.source_agency
