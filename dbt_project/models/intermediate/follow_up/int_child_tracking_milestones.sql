-- Each child's tracking milestones (Thailand dates): first contact (first event, and who
-- made it), first found (first event with status 1 or 2), first back in education.
with ordered as (
    select
        *,
        row_number() over (partition by child_id order by recorded_at, event_id) as event_order
    from {{ ref('int_tracking_events') }}
)

select
    child_id,
    min(recorded_on) as first_contact_on,
    max(case when event_order = 1 then tracker_org end) as first_contact_org,
    min(case when status_code in (1, 2) then recorded_on end) as first_found_on,
    min(case when status_code = 1 then recorded_on end) as first_returned_on
from ordered
group by child_id
