-- One row per event (exports overlap): the copy in the latest export is used. child_id
-- is the child (resolved identity) the event is about; delivered_child_id the ID it gave.
select
    * except (copy_rank, child_id, identity_key, staging_version, build_version),
    identity_key as child_id,
    child_id as delivered_child_id
from (
    select
        *,
        row_number() over (
            partition by event_id
            order by export_date desc, file_name desc, row_number
        ) as copy_rank
    from {{ ref('int_tracking_event_rows') }}
    where quarantine_reason is null
) as used_events
where copy_rank = 1
