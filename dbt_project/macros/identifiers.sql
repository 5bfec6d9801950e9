{#- Child identifiers: Thai citizen IDs (13 digits with a check digit) and MOE G-codes
    (G + 12 digits, for children without Thai nationality). docs/business-rules.md §2. -#}

{#- Digits (and a leading G) only: spaces, dashes, dots, apostrophes removed, Thai
    digits read as Arabic, upper-cased. Null when nothing is left. An ID already written
    that way is taken as it is: most are, and the two translate() calls were half the
    time of staging the tracking events' IDs. -#}
{% macro normalise_id(expr) -%}
    case
        when {{ matches_regex(expr, '[0-9]{13}|G[0-9]{12}') }} then {{ expr }}
        else nullif(upper(translate({{ thai_digits_to_arabic(expr) }}, ' -.''' || chr(9) || chr(160), '')), '')
    end
{%- endmacro %}

{% macro id_type(normalised_id) -%}
    case
        when {{ matches_regex(normalised_id, '[0-9]{13}') }} then 'citizen'
        when {{ matches_regex(normalised_id, 'G[0-9]{12}') }} then 'gcode'
    end
{%- endmacro %}

{#- True when the 13th digit is the check digit of the first 12:
    (11 - sum(d_i * (13 - i)) mod 11) mod 10. Null for anything but a citizen ID. -#}
{% macro citizen_id_check_digit_ok(normalised_id) -%}
    case when {{ matches_regex(normalised_id, '[0-9]{13}') }} then
        cast(substr({{ normalised_id }}, 13, 1) as integer) = (11 - ((
            {%- for i in range(12) %}
            cast(substr({{ normalised_id }}, {{ i + 1 }}, 1) as integer) * {{ 13 - i }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) % 11)) % 10
    end
{%- endmacro %}
