-- Every spelling the warehouse accepts for a province, reduced to the same key as the
-- delivered text: the official Thai name plus the aliases (กทม., กรุงเทพฯ, ...).
with official as (
    select distinct province_code, province_th as province_name
    from {{ ref('geography') }}
),

aliases as (
    select province_code, province_alias as province_name
    from {{ ref('province_aliases') }}
),

names as (
    select province_code, province_name, 'official' as match_kind from official
    union all
    select province_code, province_name, 'alias' as match_kind from aliases
)

select
    {{ province_key('province_name') }} as province_key,
    province_code,
    -- an alias that is also the official name counts as official
    max(match_kind) as match_kind
from names
group by 1, 2
