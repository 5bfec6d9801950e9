-- Pairs of list rows that may name one child but were kept apart — a match probability
-- between the review and merge thresholds, or a different first or family name (twins and
-- siblings share family name, birth and home) — for a person to decide. Both rows are shown as
-- delivered. Restricted: personal data.
with pairs as (
    select *
    from {{ source('identity', 'int_identity_match_pairs') }}
    where match_probability < {{ var('linkage_merge_threshold') }} or not names_agree
),

rows as (
    select
        records.row_key,
        identities.identity_key,
        listings.source_agency,
        listings.file_name,
        listings.row_number,
        listings.citizen_id_raw,
        listings.first_name,
        listings.last_name,
        listings.sex,
        listings.birth_date,
        listings.age_on_list_date,
        listings.province_code
    from {{ ref('int_identity_records') }} as records
    inner join {{ source('identity', 'int_child_identities') }} as identities using (row_key)
    inner join {{ ref('int_child_listings') }} as listings
        on records.row_key = listings.file_name || ':' || cast(listings.row_number as string)
)

select
    pairs.match_probability,
    pairs.names_agree,
    l.identity_key as identity_key_l,
    l.file_name as file_name_l,
    l.row_number as row_number_l,
    l.citizen_id_raw as citizen_id_l,
    l.first_name as first_name_l,
    l.last_name as last_name_l,
    l.sex as sex_l,
    l.birth_date as birth_date_l,
    l.age_on_list_date as age_l,
    l.province_code as province_code_l,
    r.identity_key as identity_key_r,
    r.file_name as file_name_r,
    r.row_number as row_number_r,
    r.citizen_id_raw as citizen_id_r,
    r.first_name as first_name_r,
    r.last_name as last_name_r,
    r.sex as sex_r,
    r.birth_date as birth_date_r,
    r.age_on_list_date as age_r,
    r.province_code as province_code_r
from pairs
inner join rows as l on l.row_key = pairs.row_key_l
inner join rows as r on r.row_key = pairs.row_key_r
where l.identity_key <> r.identity_key
