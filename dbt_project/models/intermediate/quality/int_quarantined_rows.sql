-- Every row the warehouse did not use, with its reason and its original values
-- (restricted: holds personal data). The delivery report counts these per file.
with list_rows as (
    select
        source_agency as source,
        file_name,
        row_number,
        quarantine_reason as reason_code,
        child_id,
        {{ json_object_of([
            ('citizen_id', 'citizen_id_raw'),
            ('name', "concat_ws(' ', name_prefix, first_name, last_name)"),
            ('birth_date', 'birth_date_raw'),
            ('age', 'cast(age_on_list_date as string)'),
            ('grade', 'grade_raw'),
            ('province', 'province_raw'),
            ('district', 'district_raw'),
        ]) }} as original_values
    from {{ ref('int_child_list_rows') }}
    where quarantine_reason is not null
),

event_rows as (
    select
        'tracking' as source,
        file_name,
        row_number,
        quarantine_reason as reason_code,
        child_id,
        {{ json_object_of([
            ('event_id', 'event_id'),
            ('citizen_id', 'citizen_id_raw'),
            ('recorded_at', 'recorded_at_raw'),
            ('status', 'status_raw'),
            ('first_listed_on', 'cast(first_listed_on as string)'),
        ]) }} as original_values
    from {{ ref('int_tracking_event_rows') }}
    where quarantine_reason is not null
)

select * from list_rows
union all
select * from event_rows
