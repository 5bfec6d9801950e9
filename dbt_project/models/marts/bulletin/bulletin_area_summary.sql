-- Each provincial bulletin's written summary (★): children found since the previous
-- report date, from "not found" (3) and from "being tracked" (4), and how many of them
-- returned to education (1) or not (2) — as published after small-cell protection
-- (null when hidden, with the reason).
with cells as (
    select *
    from {{ source('bulletin', 'bulletin_protected_cells') }}
    where table_name = 'summary'
)

select
    cells.report_date,
    dates.previous_report_date,
    cells.page as province_code,
    {%- for name, row_key, column_key in [
        ('found_from_not_found', '3', 'total'),
        ('found_from_being_tracked', '4', 'total'),
        ('found_total', 'total', 'total'),
        ('found_and_returned', 'total', '1'),
        ('found_not_returned', 'total', '2'),
    ] %}
    max(case when cells.row_key = '{{ row_key }}' and cells.column_key = '{{ column_key }}' then cells.children end)
        as {{ name }},
    max(case when cells.row_key = '{{ row_key }}' and cells.column_key = '{{ column_key }}' then cells.suppression end)
        as {{ name }}_suppression,
    max(case when cells.row_key = '{{ row_key }}' and cells.column_key = '{{ column_key }}' then cells.display end)
        as {{ name }}_display{{ ',' if not loop.last }}
    {%- endfor %}
from cells
inner join {{ ref('dim_report_dates') }} as dates
    on dates.report_date = cells.report_date
group by all
