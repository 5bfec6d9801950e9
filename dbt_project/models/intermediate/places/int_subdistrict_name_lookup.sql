-- Subdistricts by (district, name key): names are unique within a district.
select distinct
    district_code,
    {{ subdistrict_key('subdistrict_th') }} as subdistrict_key,
    subdistrict_code
from {{ ref('geography') }}
