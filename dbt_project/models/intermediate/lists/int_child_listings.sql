-- The list rows the warehouse uses: every row of int_child_list_rows not quarantined.
select *
from {{ ref('int_child_list_rows') }}
where quarantine_reason is null
