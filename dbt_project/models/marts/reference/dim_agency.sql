-- Labels for source_agency (Thai as published, and English), from the agencies seed.
select * from {{ ref('agencies') }}
