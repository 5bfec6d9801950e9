-- Labels for education_stage (Thai as published, and English), from the education_stages seed.
select * from {{ ref('education_stages') }}
