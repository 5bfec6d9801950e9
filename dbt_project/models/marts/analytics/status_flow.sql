-- For every pair of consecutive report dates and every status: the children in it on the
-- first date (opening), those new to the cohort in it, those who moved into it from
-- another status and out of it to another, and the children in it on the second date
-- (closing). opening + new_to_cohort + moved_in - moved_out = closing (tested).
with transitions as (
    select from_report_date, to_report_date, from_status_code, to_status_code, sum(children) as children
    from {{ ref('status_transitions') }}
    group by all
),

pairs as (
    select distinct from_report_date, to_report_date from transitions
),

flows as (
    select
        pairs.from_report_date,
        pairs.to_report_date,
        statuses.status_code,
        coalesce(sum(case when t.from_status_code = statuses.status_code then t.children end), 0) as opening,
        coalesce(sum(case when t.from_status_code is null and t.to_status_code = statuses.status_code then t.children end), 0)
            as new_to_cohort,
        coalesce(sum(case when t.from_status_code <> statuses.status_code and t.to_status_code = statuses.status_code
            then t.children end), 0) as moved_in,
        coalesce(sum(case when t.from_status_code = statuses.status_code and t.to_status_code <> statuses.status_code
            then t.children end), 0) as moved_out,
        coalesce(sum(case when t.to_status_code = statuses.status_code then t.children end), 0) as closing
    from pairs
    cross join {{ ref('statuses') }} as statuses
    left join transitions as t
        on t.from_report_date = pairs.from_report_date
        and t.to_report_date = pairs.to_report_date
    group by all
)

select * from flows
