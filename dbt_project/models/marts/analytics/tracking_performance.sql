-- How fast children are reached, by the organisation that first contacted them and by
-- province: days from listing to first contact and to found (medians), and, by province,
-- the share of children listed at least 30/60/90 days before the report date who have
-- had no event yet.
with by_org as (
    select
        report_date,
        'tracker_org' as dimension,
        first_contact_org as dimension_value,
        count(*) as children,
        count(*) as contacted,
        {{ median_of('days_to_first_contact') }} as median_days_to_first_contact,
        count(first_found_on) as found,
        {{ median_of('days_to_found') }} as median_days_to_found,
        cast(null as bigint) as listed_30_days,
        cast(null as bigint) as untracked_30_days,
        cast(null as bigint) as listed_60_days,
        cast(null as bigint) as untracked_60_days,
        cast(null as bigint) as listed_90_days,
        cast(null as bigint) as untracked_90_days
    from {{ ref('fct_child_follow_up') }}
    where first_contact_on is not null
    group by all
),

by_province as (
    select
        report_date,
        'province' as dimension,
        coalesce(province_code, 'unknown') as dimension_value,
        count(*) as children,
        count(first_contact_on) as contacted,
        {{ median_of('days_to_first_contact') }} as median_days_to_first_contact,
        count(first_found_on) as found,
        {{ median_of('days_to_found') }} as median_days_to_found,
        {%- for days in [30, 60, 90] %}
        {{ count_where("days_since_listing >= " ~ days) }} as listed_{{ days }}_days,
        {{ count_where("days_since_listing >= " ~ days ~ " and first_contact_on is null") }} as untracked_{{ days }}_days{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_child_follow_up') }}
    group by all
)

select * from by_org
union all
select * from by_province
