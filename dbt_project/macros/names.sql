{#- Thai personal names given in one cell: prefix (from the name_prefixes seed, longest
    first), first name, last name. docs/business-rules.md §2. -#}

{% macro name_prefix_of(full_name_expr) -%}
    {%- set prefixes = ref('name_prefixes') -%}
    {%- set n = clean_text(full_name_expr) -%}
    {%- if execute -%}
        {%- set values = run_query("select name_prefix from " ~ prefixes ~ " order by length(name_prefix) desc, name_prefix").columns[0].values() -%}
        case
        {%- for prefix in values %}
            when left({{ n }}, {{ prefix | length }}) = '{{ prefix }}' then '{{ prefix }}'
        {%- endfor %}
        end
    {%- else -%}
        cast(null as string)
    {%- endif -%}
{%- endmacro %}

{% macro _name_after_prefix(full_name_expr) -%}
    trim(substr({{ clean_text(full_name_expr) }}, length(coalesce({{ name_prefix_of(full_name_expr) }}, '')) + 1))
{%- endmacro %}

{% macro first_name_of(full_name_expr) -%}
    nullif(split_part({{ _name_after_prefix(full_name_expr) }}, ' ', 1), '')
{%- endmacro %}

{#- Everything after the first name; multi-word family names are kept whole. -#}
{% macro last_name_of(full_name_expr) -%}
    nullif(trim(substr({{ _name_after_prefix(full_name_expr) }},
        length(split_part({{ _name_after_prefix(full_name_expr) }}, ' ', 1)) + 1)), '')
{%- endmacro %}
