-- Exact children per report date and province found since the previous report date:
-- from "not found" (3) or "being tracked" (4) to back in education (1) or not (2) —
-- the provincial written summary's table, zeros included, for every province with
-- children. Input of bulletin_protected_cells.
with moves as (
    select
        to_report_date as report_date,
        province_code,
        from_status_code,
        to_status_code,
        sum(children) as children
    from {{ ref('status_transitions') }}
    where province_code is not null
        and from_status_code in (3, 4)
        and to_status_code in (1, 2)
    group by all
),

provinces_on_date as (
    select distinct dates.report_date, children.province_code
    from {{ ref('dim_report_dates') }} as dates
    inner join {{ ref('fct_child_status') }} as children
        on children.report_date = dates.report_date
    where dates.previous_report_date is not null
        and children.province_code is not null
),

cells as (
    select from_status.status_code as from_status_code, to_status.status_code as to_status_code
    from {{ ref('statuses') }} as from_status
    cross join {{ ref('statuses') }} as to_status
    where from_status.status_code in (3, 4)
        and to_status.status_code in (1, 2)
)

select
    provinces_on_date.report_date,
    provinces_on_date.province_code as province_key,
    cells.from_status_code,
    cells.to_status_code,
    coalesce(moves.children, 0) as children
from provinces_on_date
cross join cells
left join moves
    on moves.report_date = provinces_on_date.report_date
    and moves.province_code = provinces_on_date.province_code
    and moves.from_status_code = cells.from_status_code
    and moves.to_status_code = cells.to_status_code
