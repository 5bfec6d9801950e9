{% call staged_by_file(source('msdhs', 'msdhs__disabled_children')) %}
with with_dates as (
    select
        *,
        {{ date_ymd('birth_date') }} as birth_date_ymd
    from source
)

select
    {{ list_row_metadata('msdhs') }},
    {{ identity_columns('citizen_id') }},
    {{ name_prefix_of('full_name') }} as name_prefix,
    {{ first_name_of('full_name') }} as first_name,
    {{ last_name_of('full_name') }} as last_name,
    cast(null as string) as sex_raw,
    {{ birth_date_columns('birth_date', 'birth_date_ymd') }},
    cast(null as string) as age_raw,
    'birth_date' as age_basis,
    -- No grade: these children were never placed; the stage comes from age.
    cast(null as string) as grade_raw,
    cast(null as string) as grade_key,
    {{ place_columns(province='province', district='district') }},
    cast(null as string) as school_code,
    cast(null as string) as school_name,
    cast(null as string) as reason_text,
    cast(null as string) as reason_code,
    {{ clean_text('disability_type') }} as disability_type,
    cast(null as date) as dropout_date
from with_dates
{% endcall %}
