"""The field app's code lists (from dbt seeds) with how often the generator uses each,
and free-text phrases for realistic cells.

The codes themselves live in `dbt_project/seeds/` (tracker_orgs, placements,
assistance_types); only the generator's weights are here.
"""

from __future__ import annotations

from orchestration.reference import column

_TRACKER_WEIGHTS = {"school": 45, "esa": 20, "moi": 9, "moph": 8, "msdhs": 5, "local_gov": 8, "other": 5}
_PLACEMENT_WEIGHTS = {"original_school": 35, "other_school": 28, "nfe": 25, "vocational": 8, "special_ed": 4}
_ASSISTANCE_WEIGHTS = {"scholarship": 20, "uniform_supplies": 15, "transport": 12, "counselling": 20,
                       "job_training": 6, "health_referral": 5}
NO_ASSISTANCE = "none"


def _weighted(seed: str, field: str, weights: dict[str, int], exclude: tuple[str, ...] = ()) -> tuple[tuple[str, int], ...]:
    """(code, weight) for every code of the seed; a code the weights do not know gets 1."""
    return tuple((code, weights.get(code, 1)) for code in column(seed, field) if code not in exclude)


# (code, weight) pairs, as the field app uses them.
TRACKER_ORGS = _weighted("tracker_orgs", "tracker_org", _TRACKER_WEIGHTS)
PLACEMENTS = _weighted("placements", "placement", _PLACEMENT_WEIGHTS)
ASSISTANCE = _weighted("assistance_types", "assistance", _ASSISTANCE_WEIGHTS, exclude=(NO_ASSISTANCE,))

# Free-text reasons as schools type them, beside the reasons seed's own labels.
REASON_PHRASES = (
    "การเดินทางไม่สะดวก",
    "ไม่มีค่าเดินทาง",
    "ติดตามผู้ปกครองไปทำงานต่างจังหวัด",
    "ช่วยผู้ปกครองทำงาน",
    "ผู้ปกครองไม่ให้เรียนต่อ",
    "ขาดเรียนนาน",
)

NOTES = (
    "ผู้ปกครองย้ายไปทำงานต่างจังหวัด",
    "ลงพื้นที่เยี่ยมบ้านแล้ว",
    "โทรติดต่อผู้ปกครองไม่ได้",
    "ประสานครูประจำชั้นแล้ว",
    "เด็กสมัครเรียน กศน.",
    "อยู่กับยาย",
    "รอเอกสารย้ายโรงเรียน",
    "ช่วยครอบครัวทำนา",
)

# Markup that ends up in free-text cells when people paste from web forms.
HTML_FRAGMENTS = (
    "<b>{text}</b>",
    "{text} <script>alert(1)</script>",
    "<p>{text}</p>",
    "{text}<br>",
    '<span style="color:red">{text}</span>',
    "{text} &nbsp;<i>ด่วน</i>",
)
