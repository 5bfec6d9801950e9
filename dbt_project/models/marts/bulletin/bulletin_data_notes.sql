-- The bulletin's data footnote, per report date and source: the latest list (or
-- tracking export) in effect, and what the deliveries held.
with files as (
    select
        source,
        count_if(load_status = 'loaded') as files_loaded,
        count_if(load_status = 'rejected') as files_rejected,
        count_if(load_status = 'duplicate_file') as files_duplicate,
        sum(rows_in) as rows_in,
        sum(rows_quarantined) as rows_quarantined
    from {{ ref('fct_file_loads') }}
    group by source
),

sources as (
    select source_agency as source, agency_priority as source_order from {{ ref('agencies') }}
    union all
    select 'tracking' as source, 99 as source_order
),

in_effect as (
    select dates.report_date, loads.source, max(loads.file_date) as data_as_of
    from {{ ref('dim_report_dates') }} as dates
    inner join {{ ref('fct_file_loads') }} as loads
        on loads.load_status = 'loaded'
        and loads.file_date <= dates.report_date
    group by dates.report_date, loads.source
)

select
    dates.report_date,
    sources.source,
    sources.source_order,
    in_effect.data_as_of,
    coalesce(files.files_loaded, 0) as files_loaded,
    coalesce(files.files_rejected, 0) as files_rejected,
    coalesce(files.files_duplicate, 0) as files_duplicate,
    coalesce(files.rows_in, 0) as rows_in,
    coalesce(files.rows_quarantined, 0) as rows_quarantined
from {{ ref('dim_report_dates') }} as dates
cross join sources
left join files
    on files.source = sources.source
left join in_effect
    on in_effect.report_date = dates.report_date
    and in_effect.source = sources.source
