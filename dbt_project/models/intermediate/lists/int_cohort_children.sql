-- One row per child ever listed — a resolved identity (int_child_identities): when it
-- entered the cohort and the agency it counts under (the list that named it first; same
-- date → agency priority). docs/business-rules.md §3.
with ranked as (
    select
        identity_key,
        list_date,
        source_agency,
        link_rule,
        row_number() over (
            partition by identity_key
            order by list_date, agency_priority, file_name, row_number
        ) as listing_order,
        count(*) over (partition by identity_key) as listing_rows,
        {{ count_distinct_over("source_agency", "identity_key") }} as agencies_listing,
        {{ count_where("link_rule = 'probabilistic'") }} over (partition by identity_key) as rows_linked
    from {{ ref('int_child_listings_resolved') }}
)

select
    identity_key as child_id,
    {{ child_key('identity_key') }} as child_key,
    case
        when identity_key like 'row:%' then 'none'
        else {{ id_type('identity_key') }}
    end as id_type,
    {{ citizen_id_check_digit_ok('identity_key') }} as has_valid_check_digit,
    list_date as first_listed_on,
    source_agency,
    listing_rows,
    agencies_listing,
    rows_linked
from ranked
where listing_order = 1
