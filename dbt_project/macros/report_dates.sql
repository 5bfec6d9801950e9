{#- The report dates requested for this build, as rows: ISO strings, comma-separated in
    BACKTOSCHOOL_REPORT_DATES (set by the Dagster step), or var report_dates when dbt is run by
    hand. Not passed as a var by Dagster: dbt parses the whole project again whenever its
    --vars change, which is every weekly run; a changed environment variable re-parses only
    the files that read it. -#}
{% macro report_dates_relation() -%}
    {%- set dates = var('report_dates', []) or env_var('BACKTOSCHOOL_REPORT_DATES', '') -%}
    {%- if dates is string -%}{%- set dates = dates.split(',') | map('trim') | reject('equalto', '') | list -%}{%- endif -%}
    {%- if dates | length == 0 -%}
        select cast(null as date) as report_date where 1 = 0
    {%- else -%}
        select cast(report_date as date) as report_date
        from (values {% for d in dates %}('{{ d | trim }}'){% if not loop.last %}, {% endif %}{% endfor %}) as requested (report_date)
    {%- endif -%}
{%- endmacro %}
