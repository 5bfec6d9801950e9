-- For every cohort child, every list row merged into it and by which rule: the first
-- listing; another row with the same valid ID; another row with the same ID failing its
-- check digit; or record linkage (with its match probability and the row it matched).
-- Restricted: it names rows of personal data.
select
    resolved.identity_key as child_id,
    cohort.child_key,
    resolved.source_agency,
    resolved.file_name,
    resolved.row_number,
    resolved.list_date,
    case
        when row_number() over (
            partition by resolved.identity_key
            order by resolved.list_date, resolved.agency_priority, resolved.file_name, resolved.row_number
        ) = 1 then 'first_listing'
        when resolved.link_rule = 'exact_id' then 'same_id'
        when resolved.link_rule = 'own_id' then 'same_failing_id'
        when resolved.link_rule = 'probabilistic' then 'record_linkage'
        else resolved.link_rule
    end as merge_rule,
    resolved.match_probability,
    resolved.linked_to_row
from {{ ref('int_child_listings_resolved') }} as resolved
inner join {{ ref('int_cohort_children') }} as cohort
    on cohort.child_id = resolved.identity_key
