-- Per report date: the cohort (children listed on or before it, each once) beside the
-- sum of status_summary. They must be equal; the blocking quality check and a dbt
-- test both hold publication back when they are not.
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

select
    cohort_sizes.report_date,
    cohort_sizes.cohort_children,
    coalesce(summary_totals.summary_children, 0) as summary_children
from cohort_sizes
left join summary_totals
    on summary_totals.report_date = cohort_sizes.report_date
