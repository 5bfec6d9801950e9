-- How the children counted on one report date moved by the next one (consecutive
-- requested report dates). Children new to the cohort in between have a null
-- from_status_code. Stage, agency and province are those on the to-date.
with pairs as (
    select previous_report_date as from_report_date, report_date as to_report_date
    from {{ ref('dim_report_dates') }}
    where previous_report_date is not null
)

select
    pairs.from_report_date,
    pairs.to_report_date,
    from_status.status_code as from_status_code,
    to_status.status_code as to_status_code,
    to_status.education_stage,
    to_status.source_agency,
    to_status.province_code,
    count(*) as children
from pairs
inner join {{ ref('fct_child_status') }} as to_status
    on to_status.report_date = pairs.to_report_date
left join {{ ref('fct_child_status') }} as from_status
    on from_status.report_date = pairs.from_report_date
    and from_status.child_key = to_status.child_key
group by all
