{#- A staging model over an append-only raw table, staged one landing file at a time.

    Every landing file is loaded into raw once and never changed afterwards
    (orchestration/raw/loader.py: a changed file under a loaded name is rejected), and a
    staging row depends on its raw row only. So a run stages just the files it has not
    staged yet, instead of re-parsing every export of the programme each week.

    Use as the whole body of an incremental model (dbt_project.yml configures staging so):
        {% call staged_by_file(source('tracking', 'tracking__events')) %}
        select ... from source
        {% endcall %}
    The body reads the raw rows as `source`. Its SQL as rendered, which includes every
    macro it calls and the code lists those inline, is hashed into `staging_version`:
    when that changes, every file is staged again (delete+insert by file), so a change of
    parsing rule never leaves rows parsed by the old one. -#}
{% macro staged_by_file(raw_relation) -%}
    {%- set body = caller() -%}
    {%- set version = local_md5(body) -%}
with source as (
    select * from {{ raw_relation }}
    {%- if is_incremental() %}
    where _file_name not in (
        select distinct file_name from {{ this }} where staging_version = '{{ version }}'
    )
    {%- endif %}
),

staged as (
{{ body }}
)

select *, '{{ version }}' as staging_version
from staged
{%- endmacro %}
