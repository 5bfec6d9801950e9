-- One row per child ever listed: when the child entered the cohort and the agency it
-- counts under (the list that named it first; same date → agency priority).
-- docs/business-rules.md §3.
with ranked as (
    select
        child_id,
        id_type,
        has_valid_check_digit,
        list_date,
        source_agency,
        row_number() over (
            partition by child_id
            order by list_date, agency_priority, file_name, row_number
        ) as listing_order,
        count(*) over (partition by child_id) as listing_rows,
        count(distinct source_agency) over (partition by child_id) as agencies_listing
    from {{ ref('int_child_listings') }}
)

select
    child_id,
    {{ child_key('child_id') }} as child_key,
    id_type,
    has_valid_check_digit,
    list_date as first_listed_on,
    source_agency,
    listing_rows,
    agencies_listing
from ranked
where listing_order = 1
