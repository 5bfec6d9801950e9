-- Repairs and flags on the list rows the warehouse uses (row_flags seed): what was
-- fixed (an era mix-up, a misspelt place) and what stays doubtful (a wrong check
-- digit, an unknown place). One row per used list row and flag.
with used as (
    select * from {{ ref('int_child_listings') }}
),

flags as (
    select source_agency, file_name, row_number, 'birth_year_era_repaired' as flag_code
    from used where is_birth_year_era_repaired
    union all
    select source_agency, file_name, row_number, 'invalid_check_digit' from used
    where id_type = 'citizen' and not has_valid_check_digit
    {%- for level in ['province', 'district', 'subdistrict'] %}
    union all
    select source_agency, file_name, row_number, '{{ level }}_fuzzy_matched' from used
    where {{ level }}_match = 'fuzzy'
    union all
    select source_agency, file_name, row_number, '{{ level }}_unmatched' from used
    where {{ level }}_code is null and {{ level }}_match = 'unmatched'
    {%- endfor %}
)

-- Columns named: with `using`, Spark puts the join column first in `flags.*`.
select flags.source_agency, flags.file_name, flags.row_number, flags.flag_code, row_flags.flag_kind
from flags
inner join {{ ref('row_flags') }} as row_flags using (flag_code)
