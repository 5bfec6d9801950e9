{% call staged_by_file(source('ovec', 'ovec__dropouts')) %}
with with_dates as (
    select
        *,
        {{ date_ymd('birth_date') }} as birth_date_ymd,
        {{ date_ymd('dropout_date') }} as dropout_date_ymd
    from source
)

select
    {{ list_row_metadata('ovec') }},
    {{ identity_columns('citizen_id') }},
    {{ clean_text('name_prefix') }} as name_prefix,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('last_name') }} as last_name,
    {{ clean_text('sex') }} as sex_raw,
    {{ birth_date_columns('birth_date', 'birth_date_ymd') }},
    cast(null as string) as age_raw,
    'birth_date' as age_basis,
    -- OVEC splits the grade: PROGRAM ปวช./ปวส. and YEAR 1-3 form ปวช.2.
    {{ clean_text("coalesce(program, '') || coalesce(program_year, '')") }} as grade_raw,
    {{ grade_key("coalesce(program, '') || coalesce(program_year, '')") }} as grade_key,
    {{ place_columns(province_code='province_code') }},
    {{ clean_text('college_code') }} as school_code,
    {{ clean_text('college_name') }} as school_name,
    cast(null as string) as reason_text,
    {{ clean_text('reason_code') }} as reason_code,
    cast(null as string) as disability_type,
    {{ ymd_to_date('dropout_date_ymd') }} as dropout_date
from with_dates
{% endcall %}
