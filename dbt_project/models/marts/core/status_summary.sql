-- Children by report date, status, stage, agency and province: the published tables'
-- source. The sum of children on a report date is the cohort on that date.
select
    report_date,
    status_code,
    education_stage,
    source_agency,
    province_code,
    count(*) as children
from {{ ref('fct_child_status') }}
group by report_date, status_code, education_stage, source_agency, province_code
