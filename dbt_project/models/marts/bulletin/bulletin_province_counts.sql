-- Exact children per report date, province and status: every province (and the
-- children whose province is not known), every status, zeros included. The input of
-- small-cell protection (bulletin_protected_cells); not printed as such.
with provinces as (
    select province_code as province_key from {{ ref('dim_province') }}
    union all
    select {{ unknown_place_key() }} as province_key
),

counts as (
    select
        report_date,
        coalesce(province_code, {{ unknown_place_key() }}) as province_key,
        status_code,
        sum(children) as children
    from {{ ref('status_summary') }}
    group by all
)

select
    dates.report_date,
    provinces.province_key,
    statuses.status_code,
    coalesce(counts.children, 0) as children
from {{ ref('dim_report_dates') }} as dates
cross join provinces
cross join {{ ref('statuses') }} as statuses
left join counts
    on counts.report_date = dates.report_date
    and counts.province_key = provinces.province_key
    and counts.status_code = statuses.status_code
