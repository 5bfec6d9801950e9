-- Labels for status_code (Thai as published, and English), from the statuses seed.
select * from {{ ref('statuses') }}
