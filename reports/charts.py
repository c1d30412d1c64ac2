"""Charts as inline SVG drawn in Python (no JavaScript, no CDN: the CSP allows only 'self').

Charts draw the table as the viewer sees it (`Cell.value`: exact or perturbed): hidden cells
are gaps — a break in a line, an empty dashed slot in a bar — never drawn as zero, and never
given a height that would hint at their value. Every chart sits next to its table, which is the
text alternative; the SVG carries a title and `role="img"`.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 150, 12, 28
GAP = 6  # the height of a hidden segment in a bar
PALETTE = [
    "#0062ba",
    "#c23c00",
    "#1f7a3f",
    "#7b3fa0",
    "#a86a00",
    "#00778a",
    "#5c5c5c",
    "#b8005c",
]


def _frame(title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 — every text part below goes through escape()
        f'<svg class="kmv-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _axis(max_value: int, reserve: int = 0) -> tuple[list[str], float]:
    """The axes, and the scale (pixels per count) under which `max_value` reaches the top
    label; `reserve`: pixels kept free above it (for the gaps of hidden segments)."""
    plot_h = HEIGHT - TOP - BOTTOM - reserve
    top = max(max_value, 1)
    scale = plot_h / top
    parts = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="#888"/>',
        f'<text x="{LEFT - 4}" y="{TOP + reserve + 4}" font-size="10" text-anchor="end">'
        f"{top}</text>",
        f'<text x="{LEFT - 4}" y="{HEIGHT - BOTTOM}" font-size="10" text-anchor="end">0</text>',
    ]
    return parts, scale


def _legend(labels: list[str]) -> list[str]:
    out = []
    for i, label in enumerate(labels[:12]):
        y = TOP + 14 * i
        color = PALETTE[i % len(PALETTE)]
        out.append(
            f'<rect x="{WIDTH - RIGHT + 8}" y="{y}" width="10" height="10" fill="{color}"/>'
            f'<text x="{WIDTH - RIGHT + 22}" y="{y + 9}" font-size="10">{escape(label[:24])}</text>'
        )
    return out


def trend_lines(section) -> SafeString | str:
    """One line per row across the columns (years); hidden points break the line."""
    n_cols = len(section.cols)
    if not section.rows or n_cols < 2:
        return ""
    cells, labels = section.table.cells, [label for _k, label in section.rows]
    if len(cells) > len(PALETTE):  # many municipalities: one line for all of them
        cells, labels = [section.table.col_totals], [_("All")]
    visible = [c.value for row in cells for c in row if not c.suppressed]
    parts, scale = _axis(max(visible or [0]))
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / (n_cols - 1)
    for j, (_k, label) in enumerate(section.cols):
        x = LEFT + j * step
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 10}" font-size="10" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for i, row in enumerate(cells):
        color = PALETTE[i % len(PALETTE)]
        segment: list[str] = []
        segments = []
        for j, cell in enumerate(row):
            if cell.suppressed:
                segments.append(segment)
                segment = []
                continue
            segment.append(f"{LEFT + j * step:.1f},{HEIGHT - BOTTOM - cell.value * scale:.1f}")
        segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                    f'points="{" ".join(seg)}"/>'
                )
            for point in seg:
                x, y = point.split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{color}"/>')
    parts += _legend(labels)
    return _frame(section.title, parts)


def stacked_bars(section) -> SafeString | str:
    """One bar per row, one segment per column; a hidden cell is an empty dashed slot of a
    fixed height (a gap in the bar), whatever its value."""
    if not section.rows:
        return ""
    cells = section.table.cells
    heights = [sum(c.value for c in row if not c.suppressed) for row in cells]
    gaps = max((sum(GAP for c in row if c.suppressed) for row in cells), default=0)
    parts, scale = _axis(max(heights or [0]), reserve=gaps)
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / len(cells)
    bar_w = max(4.0, slot * 0.6)
    for i, row in enumerate(cells):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = HEIGHT - BOTTOM
        for j, cell in enumerate(row):
            if cell.suppressed:  # a gap of a fixed size: hidden, not zero, not a height
                y -= GAP
                parts.append(
                    f'<rect class="kmv-chart-gap" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                    f'height="{GAP}" fill="none" stroke="{PALETTE[j % len(PALETTE)]}" '
                    f'stroke-dasharray="2 2"/>'
                )
                continue
            if not cell.value:
                continue
            h = cell.value * scale
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"/>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 10}" font-size="10" '
            f'text-anchor="middle">{escape(section.rows[i][1][:10])}</text>'
        )
    parts += _legend([label for _k, label in section.cols])
    return _frame(section.title + " — " + _("hidden numbers are not drawn"), parts)


def chart_for(section) -> SafeString | str:
    if section.key in ("with_group", "started_vgo", "settled"):
        return trend_lines(section)
    if section.key in ("cohorts", "compliance"):
        return stacked_bars(section)
    return ""
