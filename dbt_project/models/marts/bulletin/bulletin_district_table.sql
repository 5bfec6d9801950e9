-- Each provincial bulletin's table of districts: every cell (district × status, each
-- district's total, and the province's totals row) as published after small-cell
-- protection, with the district's name and the order to print rows in (districts by
-- code; children whose district is not known; the totals row last).
select
    cells.report_date,
    cells.page as province_code,
    cells.row_key,
    districts.district_th,
    districts.district_en,
    case
        when cells.row_key = 'total' then 3
        when cells.row_key = {{ unknown_place_key() }} then 2
        else 1
    end as row_group,
    cells.column_key,
    cells.children,
    cells.suppression,
    cells.display
from {{ source('bulletin', 'bulletin_protected_cells') }} as cells
left join {{ ref('dim_district') }} as districts
    on districts.district_code = cells.row_key
where cells.table_name = 'district'
