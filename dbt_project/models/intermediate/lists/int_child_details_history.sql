-- The details (stage, grade, place) in effect for each child (resolved identity) from each list date on:
-- the latest list row wins from its date; on one date, agency priority then the
-- earliest row. valid_to is the next list date naming the child (exclusive).
-- docs/business-rules.md §3.
with per_list_date as (
    select
        *,
        row_number() over (
            partition by identity_key, list_date
            order by agency_priority, file_name, row_number
        ) as rank_on_date
    from {{ ref('int_child_listings_resolved') }}
)

select
    identity_key as child_id,
    list_date as valid_from,
    lead(list_date) over (partition by identity_key order by list_date) as valid_to,
    source_agency as details_from_agency,
    file_name as details_from_file,
    row_number as details_from_row,
    education_stage,
    education_stage_rule,
    grade_code,
    age_on_list_date,
    sex,
    province_code,
    province_match,
    district_code,
    subdistrict_code,
    school_code
from per_list_date
where rank_on_date = 1
