{#- Models over an append-only table of landing files, built one file at a time.

    Every landing file is loaded into raw once and never changed afterwards
    (orchestration/raw/loader.py: a changed file under a loaded name is rejected). When a
    model's row depends on its own file's rows only (and, at most, on a few small tables
    that are the same for every file), a run builds just the files it has not built yet,
    instead of re-reading every export of the programme each week.

    A staging model over a raw table (dbt_project.yml configures staging as incremental):
        {% call staged_by_file(source('tracking', 'tracking__events')) %}
        select ... from source
        {% endcall %}
    The body reads the raw rows as `source`. Its SQL as rendered, which includes every
    macro it calls and the code lists those inline, is hashed into `staging_version`:
    when that changes, every file is staged again (delete+insert by file), so a change of
    parsing rule never leaves rows parsed by the old one.

    A later model over a staged table, whose rows also depend on other tables:
        {% call built_by_file(ref('stg_tracking__events'), inputs_version=...) %}
    `inputs_version` is a scalar SQL expression that changes whenever those other tables
    do (rows_digest). Each row's `build_version` holds the body's hash, that expression
    and the staged row's own `staging_version` (the body keeps that column), so a file is
    built again when any of the three changed (another rule, other lists, the file
    staged again); when the other tables change, that is every file. A model
    materialised as a whole table (on Spark) skips the expression: it is built from
    everything each time anyway. -#}
{% macro staged_by_file(raw_relation) -%}
    {{ _by_file(caller(), raw_relation, '_file_name', 'staging_version') }}
{%- endmacro %}

{% macro built_by_file(relation, inputs_version) -%}
    {%- set body = caller() -%}
    {%- set parts = ["'" ~ local_md5(body) ~ "'"] -%}
    {%- if config.get('materialized') == 'incremental' -%}
        {%- do parts.append(inputs_version) -%}
    {%- endif -%}
    {{ _by_file(body, relation, 'file_name', 'build_version', parts, 'staging_version') }}
{%- endmacro %}

{#- The files of `relation` not built yet with the version each of their rows would get
    now, built by `body`. The version is `version_parts` joined by '/' (the body's hash
    unless given), then the row's own `row_version_column` when given; the parts are
    computed once. A table without the version column (built before it existed) has
    every file built again, which adds the column. -#}
{% macro _by_file(body, relation, file_column, version_column, version_parts=none, row_version_column=none) -%}
    {%- set pieces = [] -%}
    {%- for part in version_parts or ["'" ~ local_md5(body) ~ "'"] -%}
        {%- if not loop.first %}{% do pieces.append("'/'") %}{% endif -%}
        {%- do pieces.append(part) -%}
    {%- endfor -%}
    {%- set filtered = is_incremental() and execute
            and version_column in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if row_version_column is none %}
    {%- set version = pieces[0] if pieces | length == 1 else dbt.concat(pieces) %}
with source as (
    select * from {{ relation }}
    {%- if filtered %}
    where {{ file_column }} not in (
        select distinct file_name from {{ this }} where {{ version_column }} = {{ version }}
    )
    {%- endif %}
),
    {%- else %}
    {%- set version = dbt.concat(['build.inputs_version', "'/'", row_version_column]) %}
with build as (
    select {{ pieces[0] if pieces | length == 1 else dbt.concat(pieces) }} as inputs_version
),

source as (
    select parent_rows.*
    from {{ relation }} as parent_rows
    {%- if filtered %}
    cross join build
    where not exists (
        select 1
        from (select distinct file_name, {{ version_column }} from {{ this }}) as built
        where built.file_name = parent_rows.{{ file_column }}
            and built.{{ version_column }} = {{ dbt.concat(['build.inputs_version', "'/'", 'parent_rows.' ~ row_version_column]) }}
    )
    {%- endif %}
),
    {%- endif %}

staged as (
{{ body }}
)

select
    staged.*,
    {{ version }} as {{ version_column }}
from staged
{%- if row_version_column is not none %}
cross join build
{%- endif %}
{%- endmacro %}
