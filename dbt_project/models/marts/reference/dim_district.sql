-- Thailand's 928 districts (อำเภอ/เขต) with their DOPA codes (geography seed).
select distinct district_code, district_th, district_en, province_code
from {{ ref('geography') }}
