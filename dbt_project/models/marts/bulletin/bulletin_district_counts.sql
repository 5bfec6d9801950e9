-- Exact children per report date, province, district and status, for every province
-- with children on that date: all its districts (zeros included) and, when there are
-- any, its children whose district is not known. Input of bulletin_protected_cells.
with children as (
    select
        report_date,
        province_code,
        coalesce(district_code, {{ unknown_place_key() }}) as district_key,
        status_code,
        count(*) as children
    from {{ ref('fct_child_status') }}
    where province_code is not null
    group by all
),

provinces_on_date as (
    select distinct report_date, province_code from children
),

district_rows as (
    select provinces_on_date.report_date, provinces_on_date.province_code, districts.district_code as district_key
    from provinces_on_date
    inner join {{ ref('dim_district') }} as districts
        on districts.province_code = provinces_on_date.province_code
    union all
    select distinct report_date, province_code, district_key
    from children
    where district_key = {{ unknown_place_key() }}
)

select
    district_rows.report_date,
    district_rows.province_code,
    district_rows.district_key,
    statuses.status_code,
    coalesce(children.children, 0) as children
from district_rows
cross join {{ ref('statuses') }} as statuses
left join children
    on children.report_date = district_rows.report_date
    and children.province_code = district_rows.province_code
    and children.district_key = district_rows.district_key
    and children.status_code = statuses.status_code
