-- Rows quarantined per file and reason (counts only; the rows themselves stay in the
-- restricted intermediate.int_quarantined_rows).
select
    quarantined.source,
    quarantined.file_name,
    quarantined.reason_code,
    reasons.description_en as reason_description,
    reasons.description_th as reason_description_th,
    count(*) as rows_quarantined
from {{ ref('int_quarantined_rows') }} as quarantined
left join {{ ref('quarantine_reasons') }} as reasons
    on reasons.reason_code = quarantined.reason_code
group by all
