-- The cohort on each report date by the agency each child counts under, with the
-- latest list date in effect (the bulletin's "ข้อมูล ณ" date for the cohort).
with lists_in_effect as (
    select dates.report_date, max(listings.list_date) as cohort_as_of
    from {{ ref('dim_report_dates') }} as dates
    inner join {{ ref('int_child_listings') }} as listings
        on listings.list_date <= dates.report_date
    group by dates.report_date
)

select
    dates.report_date,
    agencies.source_agency,
    agencies.agency_priority,
    coalesce(sum(summary.children), 0) as children,
    lists_in_effect.cohort_as_of
from {{ ref('dim_report_dates') }} as dates
cross join {{ ref('agencies') }} as agencies
left join {{ ref('status_summary') }} as summary
    on summary.report_date = dates.report_date
    and summary.source_agency = agencies.source_agency
left join lists_in_effect
    on lists_in_effect.report_date = dates.report_date
group by all
