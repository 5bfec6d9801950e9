-- The cohort on each report date explained: the list rows used so far, less the rows
-- naming a child already counted by the same ID, less the rows merged into a child by
-- record linkage. No personal data: counts only.
--
-- Counted per list date first, then added up over the list dates up to each report
-- date: joining every report date to every list row would be millions of rows.
with rows_by_list_date as (
    select
        list_date,
        count(merge_rule) as rows_listed,
        {{ count_where("merge_rule in ('same_id', 'same_failing_id')") }} as rows_same_id,
        {{ count_where("merge_rule = 'record_linkage'") }} as rows_linked
    from {{ ref('int_child_identity_audit') }}
    group by list_date
),

first_listings as (
    -- a child is in the cohort from its earliest row on
    select min(list_date) as first_listed_on
    from {{ ref('int_child_identity_audit') }}
    group by child_id
),

children_by_list_date as (
    select first_listed_on as list_date, count(*) as children
    from first_listings
    group by first_listed_on
),

rows_so_far as (
    select
        dates.report_date,
        sum(listed.rows_listed) as rows_listed,
        sum(listed.rows_same_id) as rows_same_id,
        sum(listed.rows_linked) as rows_linked
    from {{ ref('dim_report_dates') }} as dates
    left join rows_by_list_date as listed
        on listed.list_date <= dates.report_date
    group by dates.report_date
),

children_so_far as (
    select dates.report_date, sum(newly.children) as cohort_children
    from {{ ref('dim_report_dates') }} as dates
    left join children_by_list_date as newly
        on newly.list_date <= dates.report_date
    group by dates.report_date
)

select
    rows_so_far.report_date,
    cast(coalesce(rows_so_far.rows_listed, 0) as bigint) as rows_listed,
    cast(coalesce(rows_so_far.rows_same_id, 0) as bigint) as rows_same_id,
    cast(coalesce(rows_so_far.rows_linked, 0) as bigint) as rows_linked,
    cast(coalesce(children_so_far.cohort_children, 0) as bigint) as cohort_children
from rows_so_far
inner join children_so_far
    on children_so_far.report_date = rows_so_far.report_date
