{#- Shares in hundredths of a percent that always add up to exactly 100.00: each share
    is floored, and the missing hundredths go to the largest remainders (ties: lower
    order_by value first). The method that reproduces seed 003's published table
    (docs/business-rules.md §6). Emits a select over `relation` adding share_pct. -#}
{% macro largest_remainder_shares(relation, partition_by, order_by, value) -%}
with totals as (
    select *, sum({{ value }}) over (partition by {{ partition_by }}) as share_total
    from {{ relation }}
),

floored as (
    select
        *,
        cast(floor({{ value }} * 10000 / cast(share_total as double)) as bigint) as floor_hundredths
    from totals
    where share_total > 0
),

ranked as (
    select
        *,
        {{ value }} * 10000 - floor_hundredths * share_total as remainder,
        10000 - sum(floor_hundredths) over (partition by {{ partition_by }}) as hundredths_missing
    from floored
),

allotted as (
    select
        *,
        row_number() over (partition by {{ partition_by }} order by remainder desc, {{ order_by }}) as remainder_rank
    from ranked
)

select
    * except (share_total, floor_hundredths, remainder, hundredths_missing, remainder_rank),
    -- exact decimals: a sum of doubles can miss 100 by a rounding error
    cast((floor_hundredths + case when remainder_rank <= hundredths_missing then 1 else 0 end) / 100.0
        as decimal(5, 2)) as share_pct
from allotted
{%- endmacro %}
