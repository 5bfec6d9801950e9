{#- Generic data tests used in the models' YAML (no dbt packages: dbt deps needs the internet). -#}

{#- The combination of columns identifies a row. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Every row satisfies the boolean expression (optionally within a where). -#}
{% test expression_is_true(model, expression, where_clause=none, column_name=none) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{%- if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}

{#- The column holds one value per report date: a property of the date, repeated on its rows. -#}
{% test one_value_per_report_date(model, column_name) %}
select report_date, count(distinct {{ column_name }}) as values_on_date
from {{ model }}
group by report_date
having count(distinct {{ column_name }}) > 1
{% endtest %}
