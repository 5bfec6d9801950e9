-- Exact children per report date, province, school and status, for the provincial
-- bulletins' table of schools. A school is named when it has at least
-- {{ smallest_printed_count() }} of the province's children on that date; the others
-- are one row ('other', with how many schools it holds); children whose list gave no
-- school code are the row 'none'. The school is the one in the child's details on the
-- report date (int_child_status_on_report_dates). Input of bulletin_protected_cells.
with child_schools as (
    select report_date, province_code, status_code, school_code
    from {{ ref('int_child_status_on_report_dates') }}
    where province_code is not null
),

sized as (
    select
        *,
        count(*) over (partition by report_date, province_code, school_code) as school_children
    from child_schools
),

keyed as (
    select
        report_date,
        province_code,
        status_code,
        school_code,
        case
            when school_code is null then 'none'
            when school_children >= {{ smallest_printed_count() }} then school_code
            else 'other'
        end as school_key
    from sized
),

school_rows as (
    select report_date, province_code, school_key, count(distinct school_code) as schools
    from keyed
    group by all
)

select
    school_rows.report_date,
    school_rows.province_code,
    school_rows.school_key,
    case when school_rows.school_key = 'none' then null else school_rows.schools end as schools,
    statuses.status_code,
    count(keyed.status_code) as children
from school_rows
cross join {{ ref('statuses') }} as statuses
left join keyed
    on keyed.report_date = school_rows.report_date
    and keyed.province_code = school_rows.province_code
    and keyed.school_key = school_rows.school_key
    and keyed.status_code = statuses.status_code
group by all
