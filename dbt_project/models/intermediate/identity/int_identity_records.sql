-- The list rows as linkage records: what a row says about who the child is. A valid ID
-- is the row's label (rows with the same one are known matches, which train the model);
-- EEF gives an age instead of a birth date, so the birth year is the list year minus it.
select
    file_name || ':' || cast(row_number as string) as row_key,
    case when id_class = 'valid' then child_id end as label,
    id_class,
    child_id as delivered_id,
    first_name,
    last_name,
    sex,
    birth_date,
    coalesce(year(birth_date), year(list_date) - age_on_list_date) as birth_year,
    province_code,
    district_code,
    row_number() over (order by list_date, agency_priority, file_name, row_number) as listed_order
from {{ ref('int_child_listings') }}
