-- Every row of every accepted child list, in one shape, with the business rules of
-- docs/business-rules.md §2 applied: grade → stage, age, place codes, and the
-- quarantine reason (null when the row is used). Rows in = rows used + quarantined.
with unioned as (
    select * from {{ ref('int_child_list_rows_unioned') }}
),

grades as (
    select {{ grade_key('grade_text') }} as grade_key, grade_code, education_stage
    from {{ ref('grades') }}
),

enriched as (
    select
        u.*,
        agencies.agency_priority,
        coalesce(sex_codes.sex, prefixes.sex) as sex,
        grades.grade_code,
        grades.education_stage as grade_stage,
        u.grade_key is not null and grades.grade_code is null as is_unknown_grade,
        -- no grade, or "never enrolled": the stage comes from age
        u.grade_key is null or (grades.grade_code is not null and grades.education_stage is null) as needs_age_rule,
        case
            -- whole years only: a cast would round 15.5 up to 16 and change the stage
            when u.age_basis = 'reported_age' then
                case when {{ matches_regex('trim(u.age_raw)', '[0-9]{1,3}') }} then cast(trim(u.age_raw) as integer) end
            when u.birth_date is not null then {{ age_in_years('u.birth_date', 'u.list_date') }}
        end as age_on_list_date,
        places.province_code,
        places.province_match,
        places.province_match_score,
        places.district_code,
        places.district_match,
        places.subdistrict_code,
        places.subdistrict_match
    from unioned as u
    inner join {{ ref('agencies') }} as agencies
        on agencies.source_agency = u.source_agency
    left join {{ ref('sex_codes') }} as sex_codes
        on sex_codes.sex_text = u.sex_raw
    left join {{ ref('name_prefixes') }} as prefixes
        on prefixes.name_prefix = u.name_prefix
    left join grades
        on grades.grade_key = u.grade_key
    left join {{ source('places', 'int_place_name_resolutions') }} as places
        on places.place_key = {{ place_lookup_key('u.') }}
),

checked as (
    select
        *,
        -- in the order of quarantine_reasons.rule_order (tests/test_rule_order.py)
        case
            when row_problem is not null then 'malformed_row'
            -- without a usable ID a row is still a child, found by record linkage, if it
            -- says who: a first and a last name
            when id_type is null and (first_name is null or last_name is null)
                then case when child_id is null then 'missing_id' else 'malformed_id' end
            when birth_date_raw is not null and birth_date is null
                and birth_year_written is not null
                and not (birth_year_written between 1900 and 2100 or birth_year_written between 2400 and 2700)
                then 'unresolvable_era'
            when birth_date_raw is not null and birth_date is null then 'unparseable_date'
            when needs_age_rule and age_basis = 'birth_date' and birth_date is null then 'unparseable_date'
            when birth_date > list_date then 'impossible_date'
            when is_unknown_grade then 'unknown_grade'
            when age_on_list_date not between 3 and 25 then 'age_out_of_range'
            when needs_age_rule and age_on_list_date is null then 'age_out_of_range'
        end as row_rule_broken
    from enriched
),

deduplicated as (
    select
        *,
        case
            when row_rule_broken is null
                then row_number() over (
                    -- a row without a usable ID is the same row again when its name and
                    -- birth (or age) are
                    partition by file_name,
                        case
                            when id_type is not null then child_id
                            else 'no id|' || first_name || '|' || last_name || '|'
                                || coalesce(cast(birth_date as string), 'age ' || cast(age_on_list_date as string), '')
                        end,
                        row_rule_broken is null
                    order by row_number
                )
        end as occurrence_in_file
    from checked
)

select
    source_agency,
    agency_priority,
    file_name,
    row_number,
    list_date,
    citizen_id_raw,
    child_id,
    id_type,
    has_valid_check_digit,
    case
        when id_type = 'gcode' or (id_type = 'citizen' and has_valid_check_digit) then 'valid'
        when id_type = 'citizen' then 'invalid_check'
        else 'none'
    end as id_class,
    name_prefix,
    first_name,
    last_name,
    sex,
    birth_date_raw,
    birth_date,
    is_birth_year_era_repaired,
    age_on_list_date,
    grade_raw,
    grade_code,
    case
        when grade_stage is not null then grade_stage
        when age_on_list_date < 16 then 'compulsory'
        when age_on_list_date >= 16 then 'post_compulsory'
    end as education_stage,
    case when needs_age_rule then 'age' else 'grade' end as education_stage_rule,
    province_raw,
    province_code,
    province_match,
    province_match_score,
    district_raw,
    district_code,
    district_match,
    subdistrict_raw,
    subdistrict_code,
    subdistrict_match,
    school_code,
    school_name,
    reason_text,
    reason_code,
    disability_type,
    dropout_date,
    case
        when row_rule_broken is not null then row_rule_broken
        when occurrence_in_file > 1 then 'duplicate_in_file'
    end as quarantine_reason
from deduplicated
