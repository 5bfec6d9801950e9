-- Children not yet found (status 3 not found, status 4 still being tracked) by what is
-- known about them, first that applies: moved away (latest reason R04), listed without
-- any ID (the field app cannot name them), listed by several agencies (another agency
-- may know them), no event yet, or nothing more.
select
    report_date,
    status_code,
    province_code,
    case
        when latest_reason_code = 'R04' then 'moved_away'
        when is_listed_without_id then 'no_id'
        when is_listed_by_several_agencies then 'other_agency'
        when first_contact_on is null then 'no_event_yet'
        else 'other'
    end as what_is_known,
    count(*) as children
from {{ ref('fct_child_follow_up') }}
where status_code in (3, 4)
group by all
