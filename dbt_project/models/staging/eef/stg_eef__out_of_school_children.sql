{% call staged_by_file(source('eef', 'eef__out_of_school_children')) %}
select
    {{ list_row_metadata('eef') }},
    {{ identity_columns('citizen_id') }},
    {{ name_prefix_of('full_name') }} as name_prefix,
    {{ first_name_of('full_name') }} as first_name,
    {{ last_name_of('full_name') }} as last_name,
    {{ clean_text('sex') }} as sex_raw,
    cast(null as string) as birth_date_raw,
    cast(null as date) as birth_date,
    cast(null as integer) as birth_year_written,
    false as is_birth_year_era_repaired,
    {{ clean_text(thai_digits_to_arabic('age_years')) }} as age_raw,
    'reported_age' as age_basis,
    {{ clean_text('grade') }} as grade_raw,
    {{ grade_key('grade') }} as grade_key,
    {{ place_columns(province='province', district='district', subdistrict='subdistrict') }},
    cast(null as string) as school_code,
    cast(null as string) as school_name,
    {{ clean_text('reason') }} as reason_text,
    cast(null as string) as reason_code,
    cast(null as string) as disability_type,
    cast(null as date) as dropout_date
from source
{% endcall %}
