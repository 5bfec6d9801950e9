-- Thailand's 77 provinces with their DOPA codes (geography seed).
select distinct province_code, province_th, province_en
from {{ ref('geography') }}
