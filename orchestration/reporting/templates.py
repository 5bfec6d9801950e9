"""The Jinja environment for everything published: autoescaped (a school name or a
note holding <script> is printed as text), strict about undefined names, with the Thai
formatting filters."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

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
    env.globals["cell"] = cell
    env.globals["figure"] = figure
    env.globals["status_cells"] = status_cells
    env.globals["issuer"] = ISSUER
    env.globals["status_colours"] = STATUS_COLOURS
    return env


def figure(figure: Mapping | None) -> Markup:
    """A figure after small-cell protection as text: the count, or the symbol that
    stands for it ("<5": 0-4; "x": 5 or more, hidden; "·": table withheld); a dash when
    there is no figure."""
    return Markup(_figure_text(figure))


def cell(figure: Mapping | None) -> Markup:
    """The figure as a table cell. A function and not a Jinja macro: a national run
    prints 1.7 million cells, and calling a macro cost half the time of rendering the
    pages."""
    return Markup(_cell_html(figure))


def status_cells(cells: Mapping[str, Mapping], statuses: list[Mapping]) -> Markup:
    """A table row's cell per status, in the order of ``statuses``; ``cells`` is keyed
    by the status code as text. One call a row rather than a template loop over cells."""
    return Markup("".join([_cell_html(cells.get(str(status["status_code"]))) for status in statuses]))


def _cell_html(figure: Mapping | None) -> str:
    hidden = figure is not None and figure["display"]
    return f'<td class="{"num hidden" if hidden else "num"}">{_figure_text(figure)}</td>'


def _figure_text(figure: Mapping | None) -> str:
    if figure is None:
        return "-"
    if figure["display"]:
        return escape(figure["display"])
    return thai.number(figure["children"])  # not escaped: digits and commas, or a dash


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
