{{ config(meta={"dagster": {"ref": {"name": "status_transitions"}}}) }}

-- For every pair of consecutive report dates and every status:
-- opening + new to cohort - left = closing, where "left" and "new" are moves out of and
-- into the status. Equivalently, transitions out of each from-status sum to the
-- from-date's count, and into each to-status to the to-date's count.
with from_side as (
    select from_report_date as report_date, from_status_code as status_code, sum(children) as children
    from {{ ref('status_transitions') }}
    where from_status_code is not null
    group by 1, 2
),

to_side as (
    select to_report_date as report_date, to_status_code as status_code, sum(children) as children
    from {{ ref('status_transitions') }}
    group by 1, 2
),

counted as (
    select report_date, status_code, count(*) as children
    from {{ ref('fct_child_status') }}
    group by 1, 2
)

select 'from' as side, from_side.*, counted.children as counted
from from_side
left join counted using (report_date, status_code)
where counted.children is distinct from from_side.children
union all
select 'to' as side, to_side.*, counted.children as counted
from to_side
left join counted using (report_date, status_code)
where counted.children is distinct from to_side.children
