{#- Column groups every child-list staging model emits, so that the five lists share
    one shape (stg_<source>__* → int_child_list_rows) without repeating the parsing. -#}

{% macro list_row_metadata(source_agency) -%}
    '{{ source_agency }}' as source_agency,
    _file_name as file_name,
    _row_number as row_number,
    _file_date as list_date,
    _row_problem as row_problem
{%- endmacro %}

{% macro identity_columns(expr) -%}
    {{ clean_text(expr) }} as citizen_id_raw,
    {{ normalise_id(expr) }} as child_id,
    {{ id_type(normalise_id(expr)) }} as id_type,
    {{ citizen_id_check_digit_ok(normalise_id(expr)) }} as has_valid_check_digit
{%- endmacro %}

{#- From the raw text column and its date_ymd() column (computed in a CTE before). -#}
{% macro birth_date_columns(raw_column, ymd_column) -%}
    {{ clean_text(raw_column) }} as birth_date_raw,
    {{ ymd_to_date(ymd_column) }} as birth_date,
    {{ ymd_year(ymd_column) }} as birth_year_written,
    {{ ymd_era_repaired(ymd_column) }} as is_birth_year_era_repaired
{%- endmacro %}

{#- Grade text reduced to a lookup key: no spaces, no dots (ป.1 → ป1, ปวช. 2 → ปวช2). -#}
{% macro grade_key(expr) -%}
    nullif(replace(replace({{ clean_text(expr) }}, ' ', ''), '.', ''), '')
{%- endmacro %}

{% macro province_key(expr) -%}{{ place_name_key(expr, ['จังหวัด', 'จ.']) }}{%- endmacro %}
{% macro district_key(expr) -%}{{ place_name_key(expr, ['อำเภอ', 'เขต', 'อ.']) }}{%- endmacro %}
{% macro subdistrict_key(expr) -%}{{ place_name_key(expr, ['ตำบล', 'แขวง', 'ต.']) }}{%- endmacro %}

{% macro place_columns(province=none, district=none, subdistrict=none, province_code=none) -%}
    {{ clean_text(province) if province else 'cast(null as string)' }} as province_raw,
    {{ province_key(province) if province else 'cast(null as string)' }} as province_key,
    {{ clean_text(province_code) if province_code else 'cast(null as string)' }} as province_code_given,
    {{ clean_text(district) if district else 'cast(null as string)' }} as district_raw,
    {{ district_key(district) if district else 'cast(null as string)' }} as district_key,
    {{ clean_text(subdistrict) if subdistrict else 'cast(null as string)' }} as subdistrict_raw,
    {{ subdistrict_key(subdistrict) if subdistrict else 'cast(null as string)' }} as subdistrict_key
{%- endmacro %}

{#- One text key for a delivered place (province, given code, district, subdistrict),
    to join a list row to its place resolution without null-unsafe comparisons. -#}
{% macro place_lookup_key(prefix='') -%}
    coalesce({{ prefix }}province_key, '') || '|' || coalesce({{ prefix }}province_code_given, '') || '|'
    || coalesce({{ prefix }}district_key, '') || '|' || coalesce({{ prefix }}subdistrict_key, '')
{%- endmacro %}
