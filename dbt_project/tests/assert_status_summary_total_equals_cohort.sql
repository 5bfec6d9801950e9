-- The sum of status_summary on a report date equals the cohort on that date: every
-- child listed on or before it, counted once.
with summary_totals as (
    select report_date, sum(children) as summary_children
    from {{ ref('status_summary') }}
    group by report_date
),

cohort_sizes as (
    select dates.report_date, count(cohort.child_id) as cohort_children
    from {{ ref('dim_report_dates') }} as dates
    left join {{ ref('int_cohort_children') }} as cohort
        on cohort.first_listed_on <= dates.report_date
    group by dates.report_date
)

select cohort_sizes.report_date, cohort_children, summary_children
from cohort_sizes
left join summary_totals
    on summary_totals.report_date = cohort_sizes.report_date
where coalesce(summary_children, 0) <> cohort_children
