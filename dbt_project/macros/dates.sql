{#- Dates as the agencies write them (docs/business-rules.md §2):
      dd/mm/yyyy (B.E.)           05/11/2552
      d <Thai month> yyyy (B.E.)  12 พ.ค. 2553, ๑๒ พ.ค. ๒๕๕๓, 12 พฤษภาคม 2553
      yyyy-mm-dd (C.E.)           2006-03-14, and Excel date cells as the loader reads them
      Excel serial number (C.E.)  40000 (days since 1899-12-30)
    Parsing is two steps so the SQL stays small: `date_ymd(text)` in a first CTE gives
    'B:<y>-<m>-<d>' for the Buddhist-era styles or 'C:<y>-<m>-<d>' for the Christian-era
    ones (null when the text fits no style); `ymd_to_date` and `ymd_era_repaired` read
    that column. A year 2400-2700 is B.E. and 1900-2100 C.E. whatever the style; a year
    of the other era than the style implies is repaired and flagged. -#}

{% macro date_text(expr) -%}
    {{ clean_text(thai_digits_to_arabic(expr)) }}
{%- endmacro %}

{% macro date_ymd(expr) -%}
    {%- set t = date_text(expr) -%}
    {%- set thai = "'^([0-9]{1,2}) ?([^0-9 ]+) ?([0-9]{4})$'" -%}
    case
        when {{ matches_regex(t, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(T[0-9:.]+)?') }}
            then 'C:' || split_part({{ t }}, 'T', 1)
        when {{ matches_regex(t, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}') }}
            then 'B:' || split_part({{ t }}, '/', 3) || '-' || split_part({{ t }}, '/', 2) || '-' || split_part({{ t }}, '/', 1)
        when {{ matches_regex(t, '[0-9]{1,2} ?[^0-9 ]+ ?[0-9]{4}') }}
            then 'B:' || regexp_extract({{ t }}, {{ thai }}, 3)
                || '-' || cast({{ thai_month_number("regexp_extract(" ~ t ~ ", " ~ thai ~ ", 2)") }} as string)
                || '-' || regexp_extract({{ t }}, {{ thai }}, 1)
        when {{ matches_regex(t, '[0-9]{5}') }}
            then 'C:' || cast(cast({{ dbt.dateadd('day', 'cast(' ~ t ~ ' as integer)', "cast('1899-12-30' as date)") }} as date) as string)
    end
{%- endmacro %}

{#- The year as written (either era). -#}
{% macro ymd_year(ymd) -%}
    try_cast(split_part(substr({{ ymd }}, 3), '-', 1) as integer)
{%- endmacro %}

{#- The date (C.E.), or null when it is not a valid date (31/02, an unknown month, a
    year of neither era). -#}
{% macro ymd_to_date(ymd) -%}
    try_cast(
        cast(case
            when {{ ymd_year(ymd) }} between 2400 and 2700 then {{ ymd_year(ymd) }} - 543
            when {{ ymd_year(ymd) }} between 1900 and 2100 then {{ ymd_year(ymd) }}
        end as string)
        || '-' || lpad(split_part(substr({{ ymd }}, 3), '-', 2), 2, '0')
        || '-' || lpad(split_part(substr({{ ymd }}, 3), '-', 3), 2, '0')
        as date)
{%- endmacro %}

{#- True when the year was written in the other era than its style implies. -#}
{% macro ymd_era_repaired(ymd) -%}
    coalesce(
        (left({{ ymd }}, 1) = 'B' and {{ ymd_year(ymd) }} between 1900 and 2100)
        or (left({{ ymd }}, 1) = 'C' and {{ ymd_year(ymd) }} between 2400 and 2700),
        false)
{%- endmacro %}

{#- Thai month (abbreviated or full name, dots optional) to its number, from the
    thai_months seed; null when the text is not a Thai month. -#}
{% macro thai_month_number(expr) -%}
    {%- set months = ref('thai_months') -%}
    {%- if execute -%}
        {%- set rows = run_query("select month_number, month_abbr_th, month_name_th from " ~ months ~ " order by month_number").rows -%}
        case replace({{ expr }}, '.', '')
        {%- for row in rows %}
            when '{{ row[1] | replace(".", "") }}' then {{ row[0] }} when '{{ row[2] }}' then {{ row[0] }}
        {%- endfor %}
        end
    {%- else -%}
        cast(null as integer)
    {%- endif -%}
{%- endmacro %}

{#- Whole years completed on a date (the birthday counts on the day). -#}
{% macro age_in_years(birth_date, on_date) -%}
    (year({{ on_date }}) - year({{ birth_date }})
        - case when month({{ on_date }}) * 100 + day({{ on_date }})
                    < month({{ birth_date }}) * 100 + day({{ birth_date }}) then 1 else 0 end)
{%- endmacro %}
