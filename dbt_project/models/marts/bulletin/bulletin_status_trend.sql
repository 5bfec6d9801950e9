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

statuses_on_points as (
    select
        points.trend_date,
        coalesce(status.status_code, 4) as status_code
    from points
    inner join {{ ref('int_cohort_children') }} as cohort
        on cohort.first_listed_on <= points.trend_date
    left join {{ ref('int_child_status_history') }} as status
        on status.child_id = cohort.child_id
        and status.valid_from <= points.trend_date
        and (status.valid_to is null or status.valid_to > points.trend_date)
),

counts as (
    select trend_date, status_code, count(*) as children
    from statuses_on_points
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
