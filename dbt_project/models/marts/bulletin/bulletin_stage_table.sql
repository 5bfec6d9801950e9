-- The bulletin's table by education stage: children per status and stage on each
-- report date (every cell present, zeros included).
select
    dates.report_date,
    statuses.status_code,
    stages.education_stage,
    coalesce(sum(summary.children), 0) as children
from {{ ref('dim_report_dates') }} as dates
cross join {{ ref('statuses') }} as statuses
cross join {{ ref('education_stages') }} as stages
left join {{ ref('status_summary') }} as summary
    on summary.report_date = dates.report_date
    and summary.status_code = statuses.status_code
    and summary.education_stage = stages.education_stage
group by all
