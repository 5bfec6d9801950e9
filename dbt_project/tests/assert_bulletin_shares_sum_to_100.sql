{{ config(meta={"dagster": {"ref": {"name": "bulletin_status_table"}}}) }}

-- Published shares always add up to exactly 100.00 (largest remainder method).
select report_date, sum(share_pct) as total_share
from {{ ref('bulletin_status_table') }}
group by report_date
having sum(share_pct) <> 100
