-- Why children found but not back in education (status 2) are not back: the reason of
-- their latest event, by report date, stage and province.
select
    report_date,
    coalesce(latest_reason_code, 'unknown') as reason_code,
    education_stage,
    province_code,
    count(*) as children
from {{ ref('fct_child_follow_up') }}
where status_code = 2
group by all
