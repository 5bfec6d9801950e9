{% call staged_by_file(source('obec_dmc', 'obec_dmc__dropouts')) %}
with with_dates as (
    select
        *,
        {{ date_ymd('birth_date') }} as birth_date_ymd,
        {{ date_ymd('dropout_date') }} as dropout_date_ymd
    from source
)

select
    {{ list_row_metadata('obec_dmc') }},
    {{ identity_columns('citizen_id') }},
    {{ clean_text('name_prefix') }} as name_prefix,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('last_name') }} as last_name,
    {{ clean_text('sex') }} as sex_raw,
    {{ birth_date_columns('birth_date', 'birth_date_ymd') }},
    cast(null as string) as age_raw,
    'birth_date' as age_basis,
    {{ clean_text('grade') }} as grade_raw,
    {{ grade_key('grade') }} as grade_key,
    {{ place_columns(province='province', district='district', subdistrict='subdistrict') }},
    {{ clean_text('school_code') }} as school_code,
    {{ clean_text('school_name') }} as school_name,
    {{ clean_text('reason') }} as reason_text,
    cast(null as string) as reason_code,
    cast(null as string) as disability_type,
    {{ ymd_to_date('dropout_date_ymd') }} as dropout_date
from with_dates
{% endcall %}
