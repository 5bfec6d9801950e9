-- Used rows repaired or flagged, per file and flag (row_flags seed); counts only.
select
    flags.source_agency as source,
    flags.file_name,
    flags.flag_code,
    flags.flag_kind,
    row_flags.description_en as flag_description,
    row_flags.description_th as flag_description_th,
    count(*) as rows_flagged
from {{ ref('int_list_row_flags') }} as flags
inner join {{ ref('row_flags') }} as row_flags using (flag_code)
group by all
