{% call staged_by_file(source('tracking', 'tracking__events')) %}
with parsed as (
    select
        _file_name as file_name,
        _row_number as row_number,
        _file_date as export_date,
        _row_problem as row_problem,
        {{ clean_text('event_id') }} as event_id,
        {{ identity_columns('citizen_id') }},
        {{ clean_text('recorded_at') }} as recorded_at_raw,
        {{ parse_timestamp_with_offset(clean_text('recorded_at')) }} as recorded_at,
        {{ clean_text('status') }} as status_raw,
        case when {{ clean_text('status') }} in ('1', '2', '3', '4', '5')
             then cast({{ clean_text('status') }} as integer) end as status_code,
        {{ clean_text('tracker_org') }} as tracker_org,
        {{ clean_text('placement') }} as placement,
        {{ clean_text('reason_code') }} as reason_code,
        {{ clean_text('assistance') }} as assistance,
        note
    from source
)

select
    *,
    {{ bangkok_date('recorded_at') }} as recorded_on
from parsed
{% endcall %}
