-- Exact children per report date, province, school and status, for the provincial
-- bulletins' table of schools. A school is named when it has at least
-- {{ smallest_printed_count() }} of the province's children on that date; the others
-- are one row ('other', with how many schools it holds); children whose list gave no
-- school code are the row 'none'. The school is the one in the child's details on the
-- report date (int_child_status_on_report_dates). Input of bulletin_protected_cells.
with school_statuses as (
    -- counted first: a child row per report date is millions of rows, a school's
    -- statuses a few
    select report_date, province_code, school_code, status_code, count(*) as children
    from {{ ref('int_child_status_on_report_dates') }}
    where province_code is not null
    group by report_date, province_code, school_code, status_code
),

keyed as (
    select
        report_date,
        province_code,
        status_code,
        school_code,
        children,
        case
            when school_code is null then 'none'
            when sum(children) over (partition by report_date, province_code, school_code)
                >= {{ smallest_printed_count() }} then school_code
            else 'other'
        end as school_key
    from school_statuses
),

school_rows as (
    select report_date, province_code, school_key, count(distinct school_code) as schools
    from keyed
    group by report_date, province_code, school_key
),

counts as (
    select report_date, province_code, school_key, status_code, sum(children) as children
    from keyed
    group by report_date, province_code, school_key, status_code
)

select
    school_rows.report_date,
    school_rows.province_code,
    school_rows.school_key,
    case when school_rows.school_key = 'none' then null else school_rows.schools end as schools,
    statuses.status_code,
    cast(coalesce(counts.children, 0) as bigint) as children
from school_rows
cross join {{ ref('statuses') }} as statuses
left join counts
    on counts.report_date = school_rows.report_date
    and counts.province_code = school_rows.province_code
    and counts.school_key = school_rows.school_key
    and counts.status_code = statuses.status_code
