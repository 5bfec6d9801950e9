{#- The report dates requested for this build (var report_dates, ISO strings), as rows. -#}
{% macro report_dates_relation() -%}
    {%- set dates = var('report_dates', []) -%}
    {%- if dates is string -%}{%- set dates = dates.split(',') -%}{%- endif -%}
    {%- if dates | length == 0 -%}
        select cast(null as date) as report_date where 1 = 0
    {%- else -%}
        select cast(report_date as date) as report_date
        from (values {% for d in dates %}('{{ d | trim }}'){% if not loop.last %}, {% endif %}{% endfor %}) as requested (report_date)
    {%- endif -%}
{%- endmacro %}
