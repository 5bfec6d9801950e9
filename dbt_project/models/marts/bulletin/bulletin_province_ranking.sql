-- The national bulletin's table of provinces, one row per report date and province
-- (and the children whose province is not known): the province's children and the
-- share found, as published after small-cell protection (bulletin_protected_cells).
-- The share found is printed only when every figure it comes from is published; the
-- rank (1 = the highest share found) is over the provinces whose share is printed, so
-- that neither a rank nor a gap in the ranks says anything about a hidden figure.
with cells as (
    select *
    from {{ source('bulletin', 'bulletin_protected_cells') }}
    where page = 'national' and table_name = 'province' and row_key <> 'total'
),

rows as (
    select
        cells.report_date,
        cells.row_key as province_key,
        max(case when cells.column_key = 'total' then cells.children end) as children,
        max(case when cells.column_key = 'total' then cells.suppression end) as children_suppression,
        max(case when cells.column_key = 'total' then cells.display end) as children_display,
        sum(case when statuses.is_found then cells.children end) as found_children,
        {{ count_where("statuses.is_found and cells.suppression is not null") }} as found_cells_hidden,
        {{ count_where("cells.suppression = 'withheld'") }} as cells_withheld
    from cells
    left join {{ ref('statuses') }} as statuses
        on cast(statuses.status_code as string) = cells.column_key
    group by all
),

shares as (
    select
        *,
        case
            when children > 0 and children_suppression is null and found_cells_hidden = 0
                then cast(round(found_children * 100.0 / children, 2) as decimal(5, 2))
        end as found_pct
    from rows
)

select
    shares.report_date,
    shares.province_key,
    provinces.province_th,
    provinces.province_en,
    shares.children,
    shares.children_suppression,
    shares.children_display,
    case when shares.found_cells_hidden = 0 then shares.found_children end as found_children,
    shares.found_pct,
    case when shares.found_pct is not null and shares.province_key <> {{ unknown_place_key() }}
        then rank() over (
            partition by shares.report_date, shares.found_pct is not null and shares.province_key <> {{ unknown_place_key() }}
            order by shares.found_pct desc
        )
    end as found_rank,
    {{ count_where("shares.found_pct is not null and shares.province_key <> " ~ unknown_place_key()) }}
        over (partition by shares.report_date) as provinces_ranked,
    shares.cells_withheld > 0 as is_withheld
from shares
left join {{ ref('dim_province') }} as provinces
    on provinces.province_code = shares.province_key
