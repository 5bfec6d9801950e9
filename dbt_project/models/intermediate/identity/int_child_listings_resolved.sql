-- The used list rows with the child each names (identity_key): how the cohort, the
-- details over time and the tracking events find their child.
select
    listings.*,
    identities.identity_key,
    identities.link_rule,
    identities.match_probability,
    identities.linked_to_row
from {{ ref('int_child_listings') }} as listings
inner join {{ source('identity', 'int_child_identities') }} as identities
    on identities.row_key = listings.file_name || ':' || cast(listings.row_number as string)
