{#- Engine-specific SQL, each behind adapter.dispatch so that the project also builds
    on Spark (see stack-notes: what ports and what silently differs). Patterns are
    written without backslashes, which the two engines escape differently. -#}

{% macro matches_regex(expr, pattern) -%}
    {{ return(adapter.dispatch('matches_regex', 'backtoschool')(expr, pattern)) }}
{%- endmacro %}
{% macro default__matches_regex(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}
{% macro spark__matches_regex(expr, pattern) -%}
    ({{ expr }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{#- Replace every match (DuckDB replaces only the first unless given 'g'). -#}
{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'backtoschool')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{#- Parse ISO 8601 text with a UTC offset; null when it is not one. -#}
{% macro parse_timestamp_with_offset(expr) -%}
    {{ return(adapter.dispatch('parse_timestamp_with_offset', 'backtoschool')(expr)) }}
{%- endmacro %}
{% macro default__parse_timestamp_with_offset(expr) -%}
    case when {{ matches_regex(expr, '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})') }}
         then try_cast({{ expr }} as timestamptz) end
{%- endmacro %}
{% macro spark__parse_timestamp_with_offset(expr) -%}
    case when {{ matches_regex(expr, '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})') }}
         then try_cast({{ expr }} as timestamp) end
{%- endmacro %}

{#- The calendar date in Thailand (Asia/Bangkok) of an instant. -#}
{% macro bangkok_date(timestamp_expr) -%}
    {{ return(adapter.dispatch('bangkok_date', 'backtoschool')(timestamp_expr)) }}
{%- endmacro %}
{% macro default__bangkok_date(timestamp_expr) -%}
    cast(timezone('Asia/Bangkok', {{ timestamp_expr }}) as date)
{%- endmacro %}
{% macro spark__bangkok_date(timestamp_expr) -%}
    to_date(from_utc_timestamp({{ timestamp_expr }}, 'Asia/Bangkok'))
{%- endmacro %}

{#- A JSON object text from (key, expression) pairs. -#}
{% macro json_object_of(pairs) -%}
    {{ return(adapter.dispatch('json_object_of', 'backtoschool')(pairs)) }}
{%- endmacro %}
{% macro default__json_object_of(pairs) -%}
    cast(json_object({% for key, expr in pairs %}'{{ key }}', {{ expr }}{% if not loop.last %}, {% endif %}{% endfor %}) as varchar)
{%- endmacro %}
{% macro spark__json_object_of(pairs) -%}
    {#- Spark's to_json leaves out null fields unless told otherwise; DuckDB keeps them. -#}
    to_json(named_struct({% for key, expr in pairs %}'{{ key }}', {{ expr }}{% if not loop.last %}, {% endif %}{% endfor %}), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- The pseudonymous key of a child: HMAC-SHA256 under the warehouse's secret. -#}
{% macro child_key(child_id_expr) -%}
    {{ return(adapter.dispatch('child_key', 'backtoschool')(child_id_expr)) }}
{%- endmacro %}
{% macro default__child_key(child_id_expr) -%}
    child_key_hmac({{ child_id_expr }})
{%- endmacro %}
{#- Spark has no HMAC function: HMAC-SHA256 written out as
    sha256((K' xor opad) || sha256((K' xor ipad) || message)). The two padded keys (hex)
    come from the dbt process's environment (BACKTOSCHOOL_CHILD_KEY_IPAD / _OPAD, set by
    settings.prepare_dbt_environment), which Spark substitutes for ${env:...} when it runs
    the statement: neither the secret nor the pads appear in compiled SQL, and unlike a
    Spark conf they never reach the JVM's command line (readable by every user of the
    machine). Gives the same keys as DuckDB's child_key_hmac (tests/test_spark_engine.py). -#}
{% macro spark__child_key(child_id_expr) -%}
    case when {{ child_id_expr }} is not null then
        sha2(concat(unhex('${env:BACKTOSCHOOL_CHILD_KEY_OPAD}'),
                    unhex(sha2(concat(unhex('${env:BACKTOSCHOOL_CHILD_KEY_IPAD}'), encode({{ child_id_expr }}, 'UTF-8')), 256))),
             256)
    end
{%- endmacro %}

{#- The median of a numeric expression (an aggregate). -#}
{% macro median_of(expr) -%}
    {{ return(adapter.dispatch('median_of', 'backtoschool')(expr)) }}
{%- endmacro %}
{% macro default__median_of(expr) -%}
    median({{ expr }})
{%- endmacro %}
{#- Exact and interpolating like DuckDB's median (percentile_approx returns an element). -#}
{% macro spark__median_of(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}

{#- count(distinct x) over (partition by ...): Spark has no distinct window aggregates. -#}
{% macro count_distinct_over(expr, partition_by) -%}
    {{ return(adapter.dispatch('count_distinct_over', 'backtoschool')(expr, partition_by)) }}
{%- endmacro %}
{% macro default__count_distinct_over(expr, partition_by) -%}
    count(distinct {{ expr }}) over (partition by {{ partition_by }})
{%- endmacro %}
{% macro spark__count_distinct_over(expr, partition_by) -%}
    size(collect_set({{ expr }}) over (partition by {{ partition_by }}))
{%- endmacro %}

{#- Rows where a condition holds (an aggregate, also over a window), never null. Not
    count_if: over no rows or only null conditions DuckDB's count_if gives null (and a
    HUGEINT), Spark's gives 0. -#}
{% macro count_where(condition) -%}
    count(case when {{ condition }} then 1 end)
{%- endmacro %}

{#- A digest of a set of distinct text rows (an aggregate, as text), the same whatever
    their order: it changes when any row does. DuckDB xors the rows' 128-bit md5s (no
    sort). The rows must be distinct: a row present twice would cancel out of the xor.
    Only the by-file incremental models use it (macros/staged_by_file.sql), and those
    are whole tables on Spark, so there is no Spark version. -#}
{% macro rows_digest(text_expr) -%}
    {{ return(adapter.dispatch('rows_digest', 'backtoschool')(text_expr)) }}
{%- endmacro %}
{% macro default__rows_digest(text_expr) -%}
    coalesce(cast(bit_xor(md5_number({{ text_expr }})) as varchar), '')
{%- endmacro %}
