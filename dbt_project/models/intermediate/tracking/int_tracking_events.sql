-- One row per event (exports overlap): the copy in the latest export is used.
select * except (copy_rank)
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
