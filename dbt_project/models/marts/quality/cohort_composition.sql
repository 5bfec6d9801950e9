-- The cohort on each report date explained: the list rows used so far, less the rows
-- naming a child already counted by the same ID, less the rows merged into a child by
-- record linkage. No personal data: counts only.
with rows_by_date as (
    select
        dates.report_date,
        audit.merge_rule
    from {{ ref('dim_report_dates') }} as dates
    inner join {{ ref('int_child_identity_audit') }} as audit
        on audit.list_date <= dates.report_date
),

first_listed as (
    -- a child's first row on a report date is its earliest row up to that date
    select dates.report_date, count(distinct audit.child_id) as cohort_children
    from {{ ref('dim_report_dates') }} as dates
    inner join {{ ref('int_child_identity_audit') }} as audit
        on audit.list_date <= dates.report_date
    group by dates.report_date
)

select
    dates.report_date,
    coalesce(count(rows_by_date.merge_rule), 0) as rows_listed,
    {{ count_where("rows_by_date.merge_rule in ('same_id', 'same_failing_id')") }} as rows_same_id,
    {{ count_where("rows_by_date.merge_rule = 'record_linkage'") }} as rows_linked,
    coalesce(max(first_listed.cohort_children), 0) as cohort_children
from {{ ref('dim_report_dates') }} as dates
left join rows_by_date on rows_by_date.report_date = dates.report_date
left join first_listed on first_listed.report_date = dates.report_date
group by dates.report_date
