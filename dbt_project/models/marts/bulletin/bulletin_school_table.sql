-- Each provincial bulletin's table of schools: the schools with at least
-- {{ smallest_printed_count() }} of the province's children by name, the other schools
-- together ('other', with how many they are), children with no school code in their
-- list ('none'), and the province's totals row — every cell as published after
-- small-cell protection. School names are free text from the lists: printed escaped.
with school_rows as (
    select distinct report_date, province_code, school_key, schools
    from {{ ref('bulletin_school_counts') }}
)

select
    cells.report_date,
    cells.page as province_code,
    cells.row_key,
    schools.school_name,
    school_rows.schools,
    case
        when cells.row_key = 'total' then 4
        when cells.row_key = 'none' then 3
        when cells.row_key = 'other' then 2
        else 1
    end as row_group,
    cells.column_key,
    cells.children,
    cells.suppression,
    cells.display
from {{ source('bulletin', 'bulletin_protected_cells') }} as cells
left join {{ ref('bulletin_dim_school') }} as schools
    on schools.school_code = cells.row_key
left join school_rows
    on school_rows.report_date = cells.report_date
    and school_rows.province_code = cells.page
    and school_rows.school_key = cells.row_key
where cells.table_name = 'school'
