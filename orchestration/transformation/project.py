"""The dbt project, in its own module: `make setup` prepares its manifest with
`dagster-dbt project prepare-and-package --file orchestration/transformation/project.py`."""

from dagster_dbt import DbtProject

from orchestration.paths import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
