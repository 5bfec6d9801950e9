{#- On Spark, the tables Dagster writes — the raw layer and the Python steps' tables,
    i.e. every dbt source — are Parquet folders under
    BACKTOSCHOOL_SPARK_DIR/tables/<schema>/<name> (orchestration/spark_catalog.py).
    Run at the start of every dbt invocation (on-run-start), this registers each as an
    external Parquet table of that schema and name in Spark's metastore, so `source()`
    reads them. Dropped first: Spark fixes a table's columns when it is created, and a
    step may have rewritten its table with other columns since the last run.

    Only the sources whose folder holds a Parquet file now are registered
    (BACKTOSCHOOL_SPARK_SOURCES, listed by settings.prepare_dbt_environment): Spark
    cannot create a table over a folder without one, and a Python step's table does not
    exist before its step first ran. One that no longer exists is dropped.
    On DuckDB the sources are tables in the warehouse itself: nothing to do. -#}
{% macro register_dagster_tables() -%}
    {{ return(adapter.dispatch('register_dagster_tables', 'backtoschool')()) }}
{%- endmacro %}

{% macro default__register_dagster_tables() -%}
{%- endmacro %}

{% macro spark__register_dagster_tables() -%}
    {%- if execute -%}
        {#- a folder name inside a SQL string literal (Spark escapes with backslashes) -#}
        {%- set root = (env_var('BACKTOSCHOOL_SPARK_DIR') ~ '/tables') | replace('\\', '\\\\') | replace("'", "\\'") -%}
        {%- set present = env_var('BACKTOSCHOOL_SPARK_SOURCES').split() -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- set table = source.schema ~ '.' ~ source.identifier -%}
            {%- if source.schema not in schemas -%}
                {%- do run_query('create database if not exists ' ~ source.schema) -%}
                {%- do schemas.append(source.schema) -%}
            {%- endif -%}
            {%- do run_query('drop table if exists ' ~ table) -%}
            {%- if table in present -%}
                {%- do run_query("create table " ~ table ~ " using parquet location '"
                                 ~ root ~ "/" ~ source.schema ~ "/" ~ source.identifier ~ "'") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
