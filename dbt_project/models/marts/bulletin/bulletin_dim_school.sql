-- Schools and colleges named in the lists: code and name (free text as delivered,
-- cleaned of surrounding spaces; escaped when printed). The latest spelling wins: the
-- name on the latest used list row naming the code (ties: agency priority, then the
-- first row). No personal data: codes and names of institutions only.
select
    school_code,
    school_name,
    list_date as named_on,
    source_agency as named_by
from {{ ref('int_child_listings') }}
where school_code is not null
qualify row_number() over (
    partition by school_code
    order by school_name is null, list_date desc, agency_priority, file_name, row_number
) = 1
