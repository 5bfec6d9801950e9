-- One row per event and assistance code it records (assistance_types seed), without
-- 'none'. Matched against the seed rather than parsed as JSON: the codes are a closed
-- list, and this reads the same on every engine.
select
    events.event_id,
    events.child_id,
    events.recorded_on,
    codes.assistance
from {{ ref('int_tracking_events') }} as events
inner join {{ ref('assistance_types') }} as codes
    on events.assistance like '%"' || codes.assistance || '"%'
where codes.assistance <> 'none'
