-- Each provincial bulletin's status table: the province's children per status (and in
-- total) on the report date and on the previous one, as published after small-cell
-- protection — the same figures as the province's row of the national table of
-- provinces. A share is printed only when the count and the province's total are, and
-- is rounded on its own (half up, two decimals; shares may not add up to exactly 100:
-- forcing them to would let a hidden count show through the rounding). The change is
-- printed only when both counts are.
with province_rows as (
    select
        report_date,
        row_key as province_code,
        column_key as row_key,
        children,
        suppression,
        display
    from {{ source('bulletin', 'bulletin_protected_cells') }}
    where page = 'national' and table_name = 'province'
        and row_key not in ('total', {{ unknown_place_key() }})
),

with_totals as (
    select
        province_rows.*,
        totals.children as province_children
    from province_rows
    inner join province_rows as totals
        on totals.report_date = province_rows.report_date
        and totals.province_code = province_rows.province_code
        and totals.row_key = 'total'
),

shares as (
    select
        *,
        case when children is not null and province_children > 0
            then cast(round(children * 100.0 / province_children, 2) as decimal(5, 2))
        end as share_pct
    from with_totals
)

select
    shares.report_date,
    dates.previous_report_date,
    shares.province_code,
    shares.row_key,
    case when shares.row_key = 'total' then null else cast(shares.row_key as integer) end as status_code,
    shares.children,
    shares.suppression,
    shares.display,
    shares.share_pct,
    previous.children as previous_children,
    previous.suppression as previous_suppression,
    previous.display as previous_display,
    previous.share_pct as previous_share_pct,
    shares.children - previous.children as change
from shares
inner join {{ ref('dim_report_dates') }} as dates
    on dates.report_date = shares.report_date
left join shares as previous
    on previous.report_date = dates.previous_report_date
    and previous.province_code = shares.province_code
    and previous.row_key = shares.row_key
