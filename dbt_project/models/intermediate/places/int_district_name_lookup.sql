-- Districts by (province, name key): names are unique within a province.
select distinct
    province_code,
    {{ district_key('district_th') }} as district_key,
    district_code
from {{ ref('geography') }}
