{#- Text clean-up shared by every source. -#}

{#- Trimmed text, null when empty. -#}
{% macro clean_text(expr) -%}
    nullif(trim({{ squeeze_spaces(expr) }}), '')
{%- endmacro %}

{#- Tabs and no-break spaces become spaces; runs of spaces become one. The regular
    expression only where there is a run to squeeze: most values have none, and it was
    most of the time of staging ten million tracking events. Two replace() and not one
    translate(): DuckDB's translate is about three times slower, and staging cleans
    every text column of every row. -#}
{% macro squeeze_spaces(expr) -%}
    {%- set spaced = "replace(replace(" ~ expr ~ ", chr(9), ' '), chr(160), ' ')" -%}
    case when {{ dbt.position("'  '", spaced) }} > 0 then {{ regexp_replace_all(spaced, ' +', ' ') }} else {{ spaced }} end
{%- endmacro %}

{#- Thai digits ๐-๙ read as 0-9. -#}
{% macro thai_digits_to_arabic(expr) -%}
    translate({{ expr }}, '๐๑๒๓๔๕๖๗๘๙', '0123456789')
{%- endmacro %}

{#- A place name reduced to a lookup key: leading administrative prefixes dropped,
    spaces removed. The prefixes are tried in order, so list longer ones first. -#}
{% macro place_name_key(expr, prefixes) -%}
    {%- set cleaned = "replace(" ~ clean_text(expr) ~ ", ' ', '')" -%}
    case
    {%- for prefix in prefixes %}
        when left({{ cleaned }}, {{ prefix | length }}) = '{{ prefix }}'
            then nullif(substr({{ cleaned }}, {{ (prefix | length) + 1 }}), '')
    {%- endfor %}
        else {{ cleaned }}
    end
{%- endmacro %}
