-- The national status counts week by week (each Sunday, Thailand dates) from the week
-- of the first listing up to the latest requested report date, and on every requested
-- report date: the trend chart of the national bulletin. A child counts from its first
-- list date; its status on a day is the same as in fct_child_status (the status interval
-- holding the day, "being tracked" (4) before any event). On the report dates the
-- counts equal bulletin_status_table's (a test).
with bounds as (
    select
        cast({{ dbt.dateadd('day', 6, dbt.date_trunc('week', 'min(first_listed_on)')) }} as date) as first_sunday,
        (select max(report_date) from {{ ref('dim_report_dates') }}) as last_report_date
    from {{ ref('int_cohort_children') }}
),

weeks as (
    {{ dbt.generate_series(2048) }}
),

points as (
    select cast({{ dbt.dateadd('day', '7 * (weeks.generated_number - 1)', 'bounds.first_sunday') }} as date) as trend_date
    from bounds
    cross join weeks
    where {{ dbt.dateadd('day', '7 * (weeks.generated_number - 1)', 'bounds.first_sunday') }} <= bounds.last_report_date
    union
    select report_date as trend_date from {{ ref('dim_report_dates') }}
),

-- Each child's status as intervals from its first list date on: "being tracked" (4)
-- until its first event, then its status history.
status_intervals as (
    select
        cohort.first_listed_on as valid_from,
        first_event.first_event_on as valid_to,
        4 as status_code
    from {{ ref('int_cohort_children') }} as cohort
    left join (
        select child_id, min(valid_from) as first_event_on
        from {{ ref('int_child_status_history') }}
        group by child_id
    ) as first_event
        on first_event.child_id = cohort.child_id
    union all
    select valid_from, valid_to, status_code
    from {{ ref('int_child_status_history') }}
),

-- A day's count in a status is the intervals begun on or before it minus those ended on
-- or before it: summing each day's starts and ends first keeps the join to the points
-- small (days × statuses) instead of points × children.
daily_changes as (
    select on_date, status_code, sum(change) as change
    from (
        select valid_from as on_date, status_code, 1 as change from status_intervals
        union all
        select valid_to as on_date, status_code, -1 as change from status_intervals where valid_to is not null
    ) as edges
    group by all
),

counts as (
    select
        points.trend_date,
        daily_changes.status_code,
        cast(sum(daily_changes.change) as {{ dbt.type_bigint() }}) as children
    from points
    inner join daily_changes
        on daily_changes.on_date <= points.trend_date
    group by all
)

select
    points.trend_date,
    statuses.status_code,
    coalesce(counts.children, 0) as children,
    points.trend_date in (select report_date from {{ ref('dim_report_dates') }}) as is_report_date
from points
cross join {{ ref('statuses') }} as statuses
left join counts
    on counts.trend_date = points.trend_date
    and counts.status_code = statuses.status_code
