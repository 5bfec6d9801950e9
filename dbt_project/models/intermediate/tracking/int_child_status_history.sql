-- Each child's status over time as intervals of Thailand dates [valid_from, valid_to):
-- a day's status is that of its latest event (by recorded_at, then event_id); from
-- the day of a status-5 event on, the child is 5 for good. Before its first event a
-- listed child is 4 (fct_child_status fills that in). docs/business-rules.md §5.
with events as (
    select
        child_id,
        event_id,
        recorded_at,
        recorded_on,
        status_code,
        tracker_org,
        reason_code,
        placement,
        min(case when status_code = 5 then recorded_on end) over (partition by child_id) as deceased_on
    from {{ ref('int_tracking_events') }}
),

last_event_of_day as (
    select
        *,
        row_number() over (
            partition by child_id, recorded_on
            order by recorded_at desc, event_id desc
        ) as rank_in_day
    from events
    where deceased_on is null or recorded_on <= deceased_on
),

days as (
    select
        child_id,
        recorded_on as valid_from,
        case when recorded_on = deceased_on then 5 else status_code end as status_code,
        event_id as last_event_id,
        recorded_at as last_event_at,
        tracker_org as last_tracker_org,
        reason_code as last_reason_code,
        placement as last_placement
    from last_event_of_day
    where rank_in_day = 1
),

changes as (
    select
        *,
        case
            when status_code = lag(status_code) over (partition by child_id order by valid_from) then 0 else 1
        end as is_change
    from days
),

runs as (
    -- consecutive days with the same status form one run (gaps and islands)
    select
        *,
        sum(is_change) over (partition by child_id order by valid_from rows between unbounded preceding and current row)
            as status_run
    from changes
)

select
    child_id,
    valid_from,
    lead(valid_from) over (partition by child_id order by valid_from) as valid_to,
    status_code,
    min(valid_from) over (partition by child_id, status_run) as status_since,
    status_run,
    last_event_id,
    last_event_at,
    last_tracker_org,
    last_reason_code,
    last_placement
from runs
