-- The bulletin's data footnote, per report date and source: the latest list (or
-- tracking export) in effect, and what the deliveries dated on or before the report
-- date held — so that a bulletin rebuilt later says what it said when first published
-- (a file whose name carries no readable date counts on every report date).
with files as (
    select
        dates.report_date,
        loads.source,
        {{ count_where("loads.load_status = 'loaded'") }} as files_loaded,
        {{ count_where("loads.load_status = 'rejected'") }} as files_rejected,
        {{ count_where("loads.load_status = 'duplicate_file'") }} as files_duplicate,
        sum(loads.rows_in) as rows_in,
        sum(loads.rows_quarantined) as rows_quarantined,
        max(case when loads.load_status = 'loaded' then loads.file_date end) as data_as_of
    from {{ ref('dim_report_dates') }} as dates
    inner join {{ ref('fct_file_loads') }} as loads
        on coalesce(loads.file_date, dates.report_date) <= dates.report_date
    group by dates.report_date, loads.source
),

sources as (
    select source_agency as source, agency_priority as source_order from {{ ref('agencies') }}
    union all
    select 'tracking' as source, 99 as source_order
)

select
    dates.report_date,
    sources.source,
    sources.source_order,
    files.data_as_of,
    coalesce(files.files_loaded, 0) as files_loaded,
    coalesce(files.files_rejected, 0) as files_rejected,
    coalesce(files.files_duplicate, 0) as files_duplicate,
    coalesce(files.rows_in, 0) as rows_in,
    coalesce(files.rows_quarantined, 0) as rows_quarantined
from {{ ref('dim_report_dates') }} as dates
cross join sources
left join files
    on files.report_date = dates.report_date
    and files.source = sources.source
