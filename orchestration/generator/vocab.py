"""Contract vocabularies that have no seed yet, and free-text phrases for realistic cells.

The tracking app's code lists (tracker organisations, placements, assistance) are fixed
by the extract contract but are not dbt seeds; they live here, in one place, until they
become seeds. Everything else (statuses, reasons, grades, places, ...) is read from seeds.
"""

from __future__ import annotations

# (code, weight) pairs, as the field app uses them.
TRACKER_ORGS = (("school", 45), ("esa", 20), ("moi", 9), ("moph", 8), ("msdhs", 5), ("local_gov", 8), ("other", 5))
PLACEMENTS = (("original_school", 35), ("other_school", 28), ("nfe", 25), ("vocational", 8), ("special_ed", 4))
ASSISTANCE = (
    ("scholarship", 20),
    ("uniform_supplies", 15),
    ("transport", 12),
    ("counselling", 20),
    ("job_training", 6),
    ("health_referral", 5),
)
NO_ASSISTANCE = "none"

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
