-- Every distinct place as the lists deliver it (province, given province code,
-- district, subdistrict), with what exact matching finds: official names, aliases and
-- prefixes. int_place_name_resolutions then resolves what is left by fuzzy matching.
with delivered as (
    select distinct province_key, province_code_given, district_key, subdistrict_key
    from {{ ref('int_child_list_rows_unioned') }}
),

provinces as (
    select
        delivered.*,
        coalesce(by_name.province_code, by_code.province_code) as province_code_exact,
        case
            when by_name.province_code is not null then by_name.match_kind
            when by_code.province_code is not null then 'code'
        end as province_match_exact
    from delivered
    left join {{ ref('int_province_name_lookup') }} as by_name
        on by_name.province_key = delivered.province_key
    left join (select distinct province_code from {{ ref('geography') }}) as by_code
        on by_code.province_code = delivered.province_code_given
)

select
    {{ place_lookup_key('provinces.') }} as place_key,
    provinces.*,
    districts.district_code as district_code_exact,
    subdistricts.subdistrict_code as subdistrict_code_exact
from provinces
left join {{ ref('int_district_name_lookup') }} as districts
    on districts.province_code = provinces.province_code_exact
    and districts.district_key = provinces.district_key
left join {{ ref('int_subdistrict_name_lookup') }} as subdistricts
    on subdistricts.district_code = districts.district_code
    and subdistricts.subdistrict_key = provinces.subdistrict_key
