{#- Dates as the agencies write them (docs/business-rules.md §2):
      dd/mm/yyyy (B.E.)           05/11/2552
      d <Thai month> yyyy (B.E.)  12 พ.ค. 2553, ๑๒ พ.ค. ๒๕๕๓
      yyyy-mm-dd (C.E.)           2006-03-14, and Excel date cells as the loader reads them
      Excel serial number         40000 (days since 1899-12-30)
    A year 2400-2700 is B.E., 1900-2100 C.E., whatever the style; a year of the other era
    than the style implies is repaired and flagged. -#}


{% macro date_text(expr) -%}
    {{ clean_text(thai_digits_to_arabic(expr)) }}
{%- endmacro %}

{#- 'iso' | 'slash' | 'thai_month' | 'excel_serial', or null when the text fits no style. -#}
{% macro date_style(expr) -%}
    {%- set t = date_text(expr) -%}
    case
        when {{ matches_regex(t, '([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(T[0-9:.]+)?') }} then 'iso'
        when {{ matches_regex(t, '([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})') }} then 'slash'
        when {{ matches_regex(t, '([0-9]{1,2}) ?([^0-9 ]+) ?([0-9]{4})') }}
            and {{ thai_month_number("regexp_extract(" ~ t ~ ", '^([0-9]{1,2}) ?([^0-9 ]+) ?([0-9]{4})$', 2)") }} is not null
            then 'thai_month'
        when {{ matches_regex(t, '[0-9]{5}') }} then 'excel_serial'
    end
{%- endmacro %}

{#- The year as written, whatever the style. -#}
{% macro date_written_year(expr) -%}
    {%- set t = date_text(expr) -%}
    try_cast(case {{ date_style(expr) }}
        when 'iso' then split_part({{ t }}, '-', 1)
        when 'slash' then split_part({{ t }}, '/', 3)
        when 'thai_month' then regexp_extract({{ t }}, '^([0-9]{1,2}) ?([^0-9 ]+) ?([0-9]{4})$', 3)
    end as integer)
{%- endmacro %}

{% macro _year_ce(year_expr) -%}
    case
        when {{ year_expr }} between 2400 and 2700 then {{ year_expr }} - 543
        when {{ year_expr }} between 1900 and 2100 then {{ year_expr }}
    end
{%- endmacro %}

{#- The date (C.E.), or null when the text is not a valid date in any style. -#}
{% macro parse_date(expr) -%}
    {%- set t = date_text(expr) -%}
    {%- set year_ce = _year_ce(date_written_year(expr)) -%}
    case {{ date_style(expr) }}
        when 'iso' then try_cast(
            cast({{ year_ce }} as string) || '-' || lpad(split_part(split_part({{ t }}, 'T', 1), '-', 2), 2, '0')
            || '-' || lpad(split_part(split_part({{ t }}, 'T', 1), '-', 3), 2, '0') as date)
        when 'slash' then try_cast(
            cast({{ year_ce }} as string) || '-' || lpad(split_part({{ t }}, '/', 2), 2, '0')
            || '-' || lpad(split_part({{ t }}, '/', 1), 2, '0') as date)
        when 'thai_month' then try_cast(
            cast({{ year_ce }} as string) || '-'
            || lpad(cast({{ thai_month_number("regexp_extract(" ~ t ~ ", '^([0-9]{1,2}) ?([^0-9 ]+) ?([0-9]{4})$', 2)") }} as string), 2, '0')
            || '-' || lpad(regexp_extract({{ t }}, '^([0-9]{1,2}) ?([^0-9 ]+) ?([0-9]{4})$', 1), 2, '0') as date)
        when 'excel_serial' then cast({{ dbt.dateadd('day', 'cast(' ~ t ~ ' as integer)', "cast('1899-12-30' as date)") }} as date)
    end
{%- endmacro %}

{#- True when the year was written in the other era than its style implies
    (B.E. styles holding a C.E. year, or an ISO date holding a B.E. year). -#}
{% macro date_era_repaired(expr) -%}
    coalesce(
        ({{ date_style(expr) }} in ('slash', 'thai_month') and {{ date_written_year(expr) }} between 1900 and 2100)
        or ({{ date_style(expr) }} = 'iso' and {{ date_written_year(expr) }} between 2400 and 2700),
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
