"""The report's charts as inline SVG, written by hand: no plotting library, no script, nothing to fetch.

Hand-written SVG keeps every figure a fixed, known size (so the page lays out the same everywhere and a
screenshot test can find it), lets each mark carry a ``<title>`` tooltip that browsers show without JavaScript,
and keeps the palette the same across charts: claimed, reported and intercepted always have the same colour.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from claimwatch.report.data import ActorTotal, WeekActor

CLAIMED = "#1f4e8c"
REPORTED = "#e07b24"
INTERCEPTED = "#2a9d8f"
HIT = "#c2410c"
GRID = "#e3e7ec"
AXIS = "#9aa4b0"
MUTED = "#6b7280"

MEASURES = (
    ("claimed", "Claimed", CLAIMED),
    ("reported", "Reported", REPORTED),
    ("intercepted", "Intercepted", INTERCEPTED),
)

CHART_WIDTH = 1140
MAX_PANELS = 6
BARS_UP_TO_WEEKS = 30


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _e(text: object) -> str:
    return html.escape(str(text))


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (axis maxima people can read)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return max(1, math.ceil(step * power))
    return math.ceil(10 * power)


def week_label(day: date, first: bool = False) -> str:
    """``5 Jan``; the year too on the first label and at a new year, so a long axis stays unambiguous."""
    text = f"{day.day} {day:%b}"
    return f"{text} {day.year}" if first or (day.month == 1 and day.day <= 7) else text


def weeks_between(first: date, last: date) -> list[date]:
    """Every Monday from ``first`` to ``last`` (weeks without events are zeros, not gaps)."""
    out = []
    day = first
    while day <= last:
        out.append(day)
        day += timedelta(days=7)
    return out


def draws_bars(rows: Sequence[WeekActor]) -> bool:
    """Whether the weekly chart draws bars (short periods) rather than lines (bars would be slivers)."""
    if not rows:
        return True
    first, last = min(r.week_start for r in rows), max(r.week_start for r in rows)
    return len(weeks_between(first, last)) <= BARS_UP_TO_WEEKS


@dataclass(slots=True)
class Panel:
    """One actor's row of the weekly chart (or every other actor together)."""

    name: str
    events: int
    by_week: dict[date, dict[str, int]]


def weekly_panels(rows: Sequence[WeekActor], max_panels: int = MAX_PANELS) -> tuple[list[date], list[Panel]]:
    """Weeks of the period and one panel per busiest actor; the rest share a last panel."""
    if not rows:
        return [], []
    weeks = weeks_between(min(r.week_start for r in rows), max(r.week_start for r in rows))
    totals: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for r in rows:
        totals[r.actor] += r.events
        names[r.actor] = r.actor_name
    ranked = sorted(totals, key=lambda a: (-totals[a], a))
    shown = ranked if len(ranked) <= max_panels else ranked[: max_panels - 1]
    rest = [a for a in ranked if a not in shown]
    panels = {a: Panel(names[a], totals[a], defaultdict(lambda: defaultdict(int))) for a in shown}
    if rest:
        others = sum(totals[a] for a in rest)
        panels["*"] = Panel(f"Other actors ({len(rest)})", others, defaultdict(lambda: defaultdict(int)))
    for r in rows:
        panel = panels[r.actor if r.actor in panels else "*"]
        for key, _, _ in MEASURES:
            panel.by_week[r.week_start][key] += getattr(r, key)
    return weeks, list(panels.values())


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return lines[:2] if len(lines) <= 2 else [lines[0], lines[1] + "…"]


def legend(items: Sequence[tuple[str, str]], x: float, y: float) -> str:
    """A row of colour keys."""
    out = []
    for label, colour in items:
        out.append(f'<rect x="{_fmt(x)}" y="{_fmt(y - 10)}" width="12" height="12" rx="2" fill="{colour}"/>')
        out.append(f'<text x="{_fmt(x + 17)}" y="{_fmt(y)}" class="legend-text">{_e(label)}</text>')
        x += 30 + 7.4 * len(label)
    return "".join(out)


def weekly_chart(rows: Sequence[WeekActor]) -> str:
    """Small multiples: one row per actor, weeks across, claimed / reported / intercepted events side by side.

    All rows share one vertical scale, so a taller bar is more events whichever actor it belongs to. Up to
    BARS_UP_TO_WEEKS weeks draw grouped bars; a longer period draws lines (bars would be slivers).
    """
    weeks, panels = weekly_panels(rows)
    left, right, top, panel_h, gap, bottom = 200, 16, 40, 110, 24, 44
    plot_w = CHART_WIDTH - left - right
    height = top + len(panels) * (panel_h + gap) + bottom
    peak = max((v for p in panels for w in p.by_week.values() for v in w.values()), default=0)
    ymax = nice_ceiling(peak)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart weekly" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="Weekly events by actor">',
        f'<rect width="{CHART_WIDTH}" height="{height}" fill="#ffffff"/>',
        legend([(label, colour) for _, label, colour in MEASURES], left, 20),
        f'<text x="{CHART_WIDTH - right}" y="20" text-anchor="end" class="axis-note">events per week, same scale in '
        "every row</text>",
    ]
    n = len(weeks)
    slot = plot_w / max(n, 1)
    bars = draws_bars(rows)
    bar_w = min(20.0, slot * 0.75 / 3)
    for i, panel in enumerate(panels):
        y0 = top + i * (panel_h + gap)
        base = y0 + panel_h
        out.append(f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{panel_h}" fill="#f8fafc"/>')
        for frac in (0.5, 1.0):
            gy = base - panel_h * frac
            out.append(f'<line x1="{left}" y1="{_fmt(gy)}" x2="{left + plot_w}" y2="{_fmt(gy)}" stroke="{GRID}"/>')
            out.append(
                f'<text x="{left - 6}" y="{_fmt(gy + 4)}" text-anchor="end" class="tick">{_fmt(ymax * frac)}</text>'
            )
        out.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="{AXIS}"/>')
        out.append(f'<text x="{left - 6}" y="{base + 4}" text-anchor="end" class="tick">0</text>')
        name_lines = _wrap(panel.name, 22)
        for j, line in enumerate(name_lines):
            out.append(f'<text x="0" y="{y0 + 18 + j * 17}" class="panel-name">{_e(line)}</text>')
        out.append(
            f'<text x="0" y="{y0 + 20 + len(name_lines) * 17}" class="panel-note">{panel.events} event'
            f"{'s' if panel.events != 1 else ''}</text>"
        )
        for m, (key, label, colour) in enumerate(MEASURES):
            points = []
            for w, week in enumerate(weeks):
                v = panel.by_week.get(week, {}).get(key, 0)
                h = panel_h * v / ymax
                tip = f"{panel.name}, week of {week.isoformat()}: {v} {label.lower()}"
                if bars:
                    x = left + w * slot + (slot - 3 * bar_w) / 2 + m * bar_w
                    if v:
                        out.append(
                            f'<rect x="{_fmt(x)}" y="{_fmt(base - h)}" width="{_fmt(bar_w - 1)}" height="{_fmt(h)}" '
                            f'fill="{colour}"><title>{_e(tip)}</title></rect>'
                        )
                else:
                    points.append(f"{_fmt(left + (w + 0.5) * slot)},{_fmt(base - h)}")
            if points:
                out.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2" '
                    'stroke-linejoin="round"/>'
                )
    axis_y = top + len(panels) * (panel_h + gap) - gap + 18
    step = max(1, math.ceil(n / 14))
    for w in range(0, n, step):
        x = left + (w + 0.5) * slot
        label = _e(week_label(weeks[w], w == 0))
        out.append(f'<text x="{_fmt(x)}" y="{axis_y}" text-anchor="middle" class="tick">{label}</text>')
    out.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{axis_y + 20}" text-anchor="middle" class="axis-note">'
        "week starting (Monday)</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def rate(intercepted: int, hit: int) -> float | None:
    """Interception rate: intercepted / (intercepted + hit); None when no outcome is known."""
    known = intercepted + hit
    return intercepted / known if known else None


def actor_rate_chart(actors: Sequence[ActorTotal], width: int = 560, max_rows: int = 8) -> str:
    """One bar per actor: the share of its events with a known outcome that were intercepted."""
    shown = list(actors[:max_rows])
    left, bar_w, row_h, top = 200, 230, 30, 16
    height = top + max(len(shown), 1) * row_h + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart rates" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Interception rate by actor">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for i, a in enumerate(shown):
        y = top + i * row_h
        r = rate(a.intercepted, a.hit)
        name = a.actor_name if len(a.actor_name) <= 26 else a.actor_name[:25].rstrip() + "…"
        out.append(f'<text x="{left - 10}" y="{y + 15}" text-anchor="end" class="row-name">{_e(name)}</text>')
        out.append(f'<rect x="{left}" y="{y + 4}" width="{bar_w}" height="14" rx="3" fill="#eef1f4"/>')
        if r is None:
            out.append(f'<text x="{left + 8}" y="{y + 15}" class="muted">no outcome stated ({a.events} events)</text>')
            continue
        known = a.intercepted + a.hit
        tip = f"{a.actor_name}: {a.intercepted} intercepted, {a.hit} hit, {a.events - known} without outcome"
        out.append(
            f'<rect x="{left}" y="{y + 4}" width="{_fmt(bar_w * r)}" height="14" rx="3" fill="{INTERCEPTED}">'
            f"<title>{_e(tip)}</title></rect>"
        )
        out.append(
            f'<text x="{left + bar_w + 10}" y="{y + 15}" class="row-value"><tspan font-weight="600">{r:.0%}</tspan>'
            f' <tspan class="muted">{a.intercepted} of {known}</tspan></text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def weekly_rate_chart(rows: Sequence[WeekActor], overall: float | None, width: int = 560) -> str:
    """The interception rate week by week (all actors), dots sized by how many events had a known outcome."""
    weeks = weeks_between(min(r.week_start for r in rows), max(r.week_start for r in rows)) if rows else []
    per_week: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        per_week[r.week_start][0] += r.intercepted
        per_week[r.week_start][1] += r.hit
    left, right, top, plot_h = 44, 14, 14, 150
    height = top + plot_h + 46
    plot_w = width - left - right
    slot = plot_w / max(len(weeks), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart weekly-rate" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Interception rate by week">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#f8fafc"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        gy = top + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" y1="{_fmt(gy)}" x2="{left + plot_w}" y2="{_fmt(gy)}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{_fmt(gy + 4)}" text-anchor="end" class="tick">{frac:.0%}</text>')
    if overall is not None:
        oy = top + plot_h * (1 - overall)
        out.append(
            f'<line x1="{left}" y1="{_fmt(oy)}" x2="{left + plot_w}" y2="{_fmt(oy)}" stroke="{MUTED}" '
            'stroke-dasharray="5 4"/>'
        )
        key_y = top + plot_h + 36  # the key sits under the axis, where no dot can cover it
        out.append(
            f'<line x1="{left + plot_w - 136}" y1="{key_y - 4}" x2="{left + plot_w - 110}" y2="{key_y - 4}" '
            f'stroke="{MUTED}" stroke-dasharray="5 4"/>'
            f'<text x="{left + plot_w}" y="{key_y}" text-anchor="end" class="axis-note">'
            f"overall rate {overall:.0%}</text>"
        )
    top_known = max((sum(v) for v in per_week.values()), default=0)
    segment: list[str] = []
    dots = []
    line = f'fill="none" stroke="{INTERCEPTED}" stroke-width="2" stroke-linejoin="round"'
    for w, week in enumerate(weeks):
        i, h = per_week.get(week, [0, 0])
        share = rate(i, h)
        x = left + (w + 0.5) * slot
        if share is None:
            if len(segment) > 1:
                out.append(f'<polyline points="{" ".join(segment)}" {line}/>')
            segment = []
            continue
        y = top + plot_h * (1 - share)
        segment.append(f"{_fmt(x)},{_fmt(y)}")
        radius = (3 + 4 * math.sqrt((i + h) / top_known)) * (1 if len(weeks) <= BARS_UP_TO_WEEKS else 0.6)
        tip = f"Week of {week.isoformat()}: {share:.0%} ({i} intercepted of {i + h} with a known outcome)"
        dots.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(radius)}" fill="{INTERCEPTED}" stroke="#ffffff">'
            f"<title>{_e(tip)}</title></circle>"
        )
    if len(segment) > 1:
        out.append(f'<polyline points="{" ".join(segment)}" {line}/>')
    out.extend(dots)
    step = max(1, math.ceil(len(weeks) / 6))
    for w in range(0, len(weeks), step):
        x = left + (w + 0.5) * slot
        out.append(
            f'<text x="{_fmt(x)}" y="{top + plot_h + 18}" text-anchor="middle" class="tick">'
            f"{_e(week_label(weeks[w], w == 0))}</text>"
        )
    if not dots:
        out.append(
            f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h / 2:.0f}" text-anchor="middle" class="muted">'
            "no event with a known outcome yet</text>"
        )
    out.append("</svg>")
    return "\n".join(out)
