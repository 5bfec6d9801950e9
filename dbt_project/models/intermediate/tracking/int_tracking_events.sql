-- One row per event (exports overlap): the copy in the latest export is used. child_id
-- is the child (resolved identity) the event is about; delivered_child_id the ID it gave.
-- The copy is picked on the columns that decide it and its row joined back: ranking the
-- whole rows took over twice as long at national scale (ten million wide rows spill).
with picked as (
    select file_name, row_number
    from (
        select
            file_name,
            row_number,
            row_number() over (
                partition by event_id
                order by export_date desc, file_name desc, row_number
            ) as copy_rank
        from {{ ref('int_tracking_event_rows') }}
        where quarantine_reason is null
    ) as ranked
    where copy_rank = 1
)

select
    * except (child_id, identity_key, staging_version, build_version),
    identity_key as child_id,
    child_id as delivered_child_id
from (
    select event_rows.*
    from {{ ref('int_tracking_event_rows') }} as event_rows
    inner join picked
        on picked.file_name = event_rows.file_name
        and picked.row_number = event_rows.row_number
    where event_rows.quarantine_reason is null
) as used_events
