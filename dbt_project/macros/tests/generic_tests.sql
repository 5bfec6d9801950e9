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
