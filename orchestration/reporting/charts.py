"""Geometry of the bulletins' charts (inline SVG, no JavaScript, prints as vectors).

These functions only place marks: every number a chart prints as text is a figure read
from a mart and passed through unchanged; the rest is coordinates. Hidden figures are
never drawn on their own: a bar shows the published counts, and what the hidden ones
add up to (the row's total minus the published ones, which the table prints anyway)
as one hatched segment."""

from __future__ import annotations

from collections.abc import Sequence

# One colour per status code (statuses seed order), as in the stylesheet (--s1 … --s5).
STATUS_COLOURS = {1: "#1b7f3b", 2: "#4e9bd1", 3: "#d9822b", 4: "#e8c547", 5: "#6b7280"}


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    if high == low:
        return (start + end) / 2
    return start + (value - low) * (end - start) / (high - low)


def trend_panels(trend: Sequence[dict], statuses: Sequence[dict], *, width: float = 150,
                 height: float = 84) -> list[dict]:
    """Small multiples: one panel per status with its own vertical scale (a count of 72
    and one of 20,000 cannot share an axis), the weekly points as a line, the requested
    report dates as dots."""
    left, right, top, bottom = 6.0, 6.0, 8.0, 8.0
    panels = []
    for status in statuses:
        code = int(status["status_code"])
        values = [point["by_status"].get(code, 0) for point in trend]
        low, high = (min(values), max(values)) if values else (0, 0)
        span_low, span_high = (max(0, low - 1), high + 1) if high == low else (low, high)

        def xy(i: int, value: int) -> tuple[float, float]:
            x = _scale(i, 0, max(len(values) - 1, 1), left, width - right)
            y = _scale(value, span_low, span_high, height - bottom, top)
            return round(x, 1), round(y, 1)

        coords = [xy(i, v) for i, v in enumerate(values)]
        panels.append({
            "status_code": code,
            "label": status["status_label_th"],
            "colour": STATUS_COLOURS.get(code, "#333"),
            "width": width,
            "height": height,
            "points": " ".join(f"{x},{y}" for x, y in coords),
            "report_points": [{"x": x, "y": y, "value": values[i], "trend_date": trend[i]["trend_date"]}
                              for i, (x, y) in enumerate(coords) if trend[i]["is_report_date"]],
            "last": values[-1] if values else None,
            "low": low if values else None,
            "high": high if values else None,
        })
    return panels


def stacked_bars(rows: Sequence[dict], status_codes: Sequence[int], *, label_width: float = 130,
                 bar_width: float = 580, row_height: float = 12, value_width: float = 50) -> dict:
    """100 % bars, one per row: each published status count its share of the row's total;
    what the hidden counts add up to as one hatched segment. ``rows``: label, cells
    (column key -> {children, display}), note (printed at the end of the bar)."""
    bars = []
    for index, row in enumerate(rows):
        y = index * row_height
        total = row["cells"].get("total", {}).get("children")
        segments = []
        if total:
            x = label_width
            published = 0
            for code in status_codes:
                children = row["cells"].get(str(code), {}).get("children")
                if children:
                    w = bar_width * children / total
                    segments.append({"x": round(x, 2), "width": round(w, 2), "fill": STATUS_COLOURS.get(code, "#333"),
                                     "hidden": False, "title": f"{code}: {children:,}"})
                    x += w
                    published += children
            hidden = total - published
            if hidden > 0:
                segments.append({"x": round(x, 2), "width": round(bar_width * hidden / total, 2), "fill": None,
                                 "hidden": True, "title": "ไม่เปิดเผย"})
        bars.append({"y": y, "label": row["label"], "segments": segments, "note": row.get("note", ""),
                     "drawn": bool(total)})
    return {
        "bars": bars,
        "label_width": label_width,
        "bar_width": bar_width,
        "row_height": row_height,
        "width": label_width + bar_width + value_width,
        "height": len(rows) * row_height,
    }
