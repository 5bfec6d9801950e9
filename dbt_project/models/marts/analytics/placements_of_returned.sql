-- Where children back in education (status 1) went: the placement of their latest event.
select
    report_date,
    coalesce(latest_placement, 'unknown') as placement,
    education_stage,
    province_code,
    count(*) as children
from {{ ref('fct_child_follow_up') }}
where status_code = 1
group by all
