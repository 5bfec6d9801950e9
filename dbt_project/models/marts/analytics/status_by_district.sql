-- Children by report date × status × stage × agency × province × district.
select
    report_date,
    status_code,
    education_stage,
    source_agency,
    province_code,
    district_code,
    count(*) as children
from {{ ref('fct_child_status') }}
group by all
