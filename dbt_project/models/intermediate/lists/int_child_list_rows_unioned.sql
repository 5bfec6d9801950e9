{{ config(materialized='view') }}
-- The five child-list staging models in one shape (they share their columns), before
-- any rule is applied.
select * except (staging_version) from {{ ref('stg_obec_dmc__dropouts') }}
union all
select * except (staging_version) from {{ ref('stg_eef__out_of_school_children') }}
union all
select * except (staging_version) from {{ ref('stg_ops__students') }}
union all
select * except (staging_version) from {{ ref('stg_ovec__dropouts') }}
union all
select * except (staging_version) from {{ ref('stg_msdhs__disabled_children') }}
