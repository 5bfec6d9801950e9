"""The Jinja environment for everything published: autoescaped (a school name or a
note holding <script> is printed as text), strict about undefined names, with the Thai
formatting filters."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from orchestration.paths import REPORT_TEMPLATES_DIR
from orchestration.reporting import thai
from orchestration.reporting.charts import STATUS_COLOURS

ISSUER = "กระทรวงศึกษาธิการ · คลังข้อมูลโครงการพาน้องกลับมาเรียน"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(REPORT_TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters.update(
        thai_date=thai.thai_date,
        thai_date_long=thai.thai_date_long,
        number=thai.number,
        percent=thai.percent,
        change=thai.change,
    )
    env.globals["issuer"] = ISSUER
    env.globals["status_colours"] = STATUS_COLOURS
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
