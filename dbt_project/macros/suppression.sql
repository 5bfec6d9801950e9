{#- Small-cell protection, SQL side (the algorithm itself is Python:
    orchestration/reporting/suppression.py, run by the Dagster asset marts/bulletin_protected_cells,
    read here as source('bulletin', 'bulletin_protected_cells')). -#}

{#- The smallest count printed below national level; 1 to this minus one show as "<5".
    Must equal orchestration.reporting.suppression.SMALL_MAX + 1 (a test checks it). -#}
{% macro smallest_printed_count() -%}5{%- endmacro %}

{#- The key bulletins use for children whose province (or district) is not known. -#}
{% macro unknown_place_key() -%}'unknown'{%- endmacro %}

{#- `model` and `other` agree: summed by `keys`, `value` in `model` equals `other_value`
    (default: `value`) in `other`; a key missing on one side counts as zero there (zero
    rows may be left out). `other_keys` are expressions in `other` for the same keys;
    `where`/`other_where` restrict either side. For marts that must agree, e.g. a
    breakdown and the figures it breaks down. -#}
{% test reconciles_with(model, other, keys, value, other_value=none, other_keys=none, where=none, other_where=none) %}
with this as (
    select {{ keys | join(', ') }}, sum({{ value }}) as this_value
    from {{ model }}
    {%- if where %} where {{ where }}{% endif %}
    group by all
),

that as (
    select
        {%- for key in keys %}
        {{ (other_keys or keys)[loop.index0] }} as {{ key }},
        {%- endfor %}
        sum({{ other_value or value }}) as that_value
    from {{ other }}
    {%- if other_where %} where {{ other_where }}{% endif %}
    group by all
)

select *
from this
full outer join that using ({{ keys | join(', ') }})
where coalesce(this_value, 0) <> coalesce(that_value, 0)
{% endtest %}

{#- Every count bulletin_protected_cells prints is the exact count of its input mart, and
    every hidden one has the symbol its exact count calls for. -#}
{% test printed_counts_are_exact(model) %}
with exact as (
    select report_date, 'national' as page, 'province' as table_name, province_key as row_key,
           cast(status_code as string) as column_key, children
    from {{ ref('bulletin_province_counts') }}
    union all
    select report_date, province_code, 'district', district_key, cast(status_code as string), children
    from {{ ref('bulletin_district_counts') }}
    union all
    select report_date, province_code, 'school', school_key, cast(status_code as string), children
    from {{ ref('bulletin_school_counts') }}
    union all
    select report_date, province_key, 'summary', cast(from_status_code as string),
           cast(to_status_code as string), children
    from {{ ref('bulletin_province_transition_counts') }}
)

select printed.*, exact.children as exact_children
from {{ model }} as printed
inner join exact
    on exact.report_date = printed.report_date
    and exact.page = printed.page
    and exact.table_name = printed.table_name
    and exact.row_key = printed.row_key
    and exact.column_key = printed.column_key
where (printed.suppression is null and printed.children <> exact.children)
    or (printed.suppression in ('small', 'complementary')
        and printed.display <> case when exact.children <= {{ smallest_printed_count() }} - 1 then '<5' else 'x' end)
    or (printed.suppression = 'small' and exact.children not between 1 and {{ smallest_printed_count() }} - 1)
{% endtest %}
