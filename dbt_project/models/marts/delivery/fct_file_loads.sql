-- The delivery report: every file delivered, what happened to it, and how its rows
-- were used. For loaded files rows_in = rows_used + rows_quarantined.
with row_outcomes as (
    select file_name, quarantine_reason from {{ ref('int_child_list_rows') }}
    union all
    select file_name, quarantine_reason from {{ ref('int_tracking_event_rows') }}
),

per_file as (
    select
        file_name,
        count(*) as rows_staged,
        cast({{ count_where("quarantine_reason is null") }} as bigint) as rows_used,
        cast({{ count_where("quarantine_reason is not null") }} as bigint) as rows_quarantined,
        cast({{ count_where("quarantine_reason = 'duplicate_in_file'") }} as bigint) as rows_duplicate_in_file
    from row_outcomes
    group by file_name
),

flagged as (
    select
        file_name,
        count(distinct case when flag_kind = 'repaired' then row_number end) as rows_repaired,
        count(distinct case when flag_kind = 'flagged' then row_number end) as rows_flagged
    from {{ ref('int_list_row_flags') }}
    group by file_name
)

select
    manifest.source,
    manifest.file_name,
    manifest.file_date,
    manifest.load_status,
    manifest.reason_code,
    manifest.reason_detail,
    manifest.duplicate_of,
    manifest.extra_columns,
    manifest.data_rows as rows_in,
    coalesce(per_file.rows_used, 0) as rows_used,
    coalesce(per_file.rows_quarantined, 0) as rows_quarantined,
    coalesce(per_file.rows_duplicate_in_file, 0) as rows_duplicate_in_file,
    coalesce(flagged.rows_repaired, 0) as rows_repaired,
    coalesce(flagged.rows_flagged, 0) as rows_flagged,
    manifest.file_sha256,
    manifest.loaded_at
from {{ source('landing', 'load_manifest') }} as manifest
left join per_file
    on per_file.file_name = manifest.file_name
    and manifest.load_status = 'loaded'
left join flagged
    on flagged.file_name = manifest.file_name
    and manifest.load_status = 'loaded'
