"""The map of targets: country outlines, a lon/lat graticule and the targeted places, as inline SVG.

Outlines come from ``pygal_maps_world`` (the Wikimedia *BlankMap-World6* drawing that pygal's world map uses): a
file inside an installed package, so the report needs no tile server, CDN or GeoJSON download. That drawing is in
the Robinson projection; its placement in the drawing's own coordinates was fitted once against GeoNames city
coordinates (1,977 cities of 300,000+, fitted so each falls inside its country; the cities left outside sit on
coasts, within about 2 map units, 0.3° at the equator). :func:`project` uses those constants, so points drawn
with it land on the outlines. The map then zooms on the region the events are in rather than showing the world.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from lxml import etree

from claimwatch.report.data import Place

# Robinson's table (Snyder, Map Projections: A Working Manual, p. 161): parallel length X and distance from the
# equator Y at every 5° of latitude.
_ROBINSON_X = (
    1.0, 0.9986, 0.9954, 0.9900, 0.9822, 0.9730, 0.9600, 0.9427, 0.9216, 0.8962,
    0.8679, 0.8350, 0.7986, 0.7597, 0.7186, 0.6732, 0.6213, 0.5722, 0.5322,
)  # fmt: skip
_ROBINSON_Y = (
    0.0, 0.0620, 0.1240, 0.1860, 0.2480, 0.3100, 0.3720, 0.4340, 0.4958, 0.5571,
    0.6176, 0.6769, 0.7346, 0.7903, 0.8435, 0.8936, 0.9394, 0.9761, 1.0,
)  # fmt: skip

# Where BlankMap-World6 sits in its own coordinates (fitted, see the module docstring): radius, central meridian,
# and the drawing's point for (central meridian, equator).
_RADIUS = 516.153
_LON0 = 10.773
_X0 = 1352.777
_Y0 = 759.213

# Where the map looks when there is nothing to show: the region the project's sources report on.
DEFAULT_FRAME = (24.0, 10.0, 62.0, 42.0)  # lon_min, lat_min, lon_max, lat_max

MAP_WIDTH = 1140
MAP_HEIGHT = 640

SEA = "#dbe8f2"
LAND = "#eceae4"
BORDER = "#ffffff"
COAST = "#b9c3cc"
POINT = "#b42318"
SHADES = ("#fbe9d7", "#f6d3b0", "#efb884", "#e69a5c", "#d97b3a")  # events per target country, light to dark


def _interp(table: Sequence[float], lat: float) -> float:
    a = min(abs(lat), 90.0) / 5.0
    i = min(int(a), len(table) - 2)
    return table[i] + (table[i + 1] - table[i]) * (a - i)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Robinson projection into the coordinates of the outline drawing (x east, y down)."""
    x = _X0 + _RADIUS * 0.8487 * _interp(_ROBINSON_X, lat) * math.radians(lon - _LON0)
    y = _Y0 - _RADIUS * 1.3523 * math.copysign(_interp(_ROBINSON_Y, lat), lat)
    return x, y


def unproject_lat(y: float) -> float:
    """Latitude of a horizontal line of the drawing (Robinson parallels are straight)."""
    target = abs(_Y0 - y) / (_RADIUS * 1.3523)
    for i in range(len(_ROBINSON_Y) - 1):
        lo, hi = _ROBINSON_Y[i], _ROBINSON_Y[i + 1]
        if target <= hi:
            return math.copysign(5.0 * (i + (target - lo) / (hi - lo)), _Y0 - y)
    return math.copysign(90.0, _Y0 - y)


@dataclass(frozen=True, slots=True)
class Country:
    """One country of the outline drawing: its path data, bounding box and a point to put its name on."""

    code: str  # ISO 3166-1 alpha-2, lower case as in the drawing
    paths: tuple[str, ...]
    bbox: tuple[float, float, float, float]  # x_min, y_min, x_max, y_max in drawing units
    label_at: tuple[float, float]
    label_span: float  # width of the largest part, to decide whether the name fits


_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2}


def path_rings(d: str) -> list[list[tuple[float, float]]]:
    """The vertices of each subpath of an SVG path (curve end points only: enough for boxes and labels)."""
    tokens = _TOKEN.findall(d)
    rings: list[list[tuple[float, float]]] = []
    ring: list[tuple[float, float]] = []
    x = y = start_x = start_y = 0.0
    cmd = "M"
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "Zz":
                x, y = start_x, start_y
                if ring:
                    rings.append(ring)
                ring = []
                continue
        c = cmd.lower()
        n = _ARGS[c]
        args = [float(t) for t in tokens[i : i + n]]
        i += n
        relative = cmd.islower()
        if c == "h":
            nx, ny = args[0], (0.0 if relative else y)
        elif c == "v":
            nx, ny = (0.0 if relative else x), args[0]
        else:
            nx, ny = args[-2], args[-1]
        if relative:
            nx, ny = nx + x, ny + y
        if c == "m":
            if ring:
                rings.append(ring)
            ring = []
            start_x, start_y = nx, ny
            cmd = "l" if relative else "L"  # further pairs after a moveto are linetos
        x, y = nx, ny
        ring.append((x, y))
    if ring:
        rings.append(ring)
    return [r for r in rings if len(r) > 2]


def _inside(ring: Sequence[tuple[float, float]], x: float, y: float) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _box(points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = zip(*points, strict=True)
    return min(xs), min(ys), max(xs), max(ys)


@cache
def countries() -> tuple[Country, ...]:
    """Every country of the outline drawing (parsed once per process)."""
    svg = resources.files("pygal_maps_world").joinpath("worldmap.svg").read_bytes()
    root = etree.fromstring(svg, parser=etree.XMLParser(huge_tree=True))
    out = []
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        classes = (group.get("class") or "").split()
        if "country" not in classes:
            continue
        # The drawing marks small countries with a circle as well: only the outlines are geography.
        paths = tuple(p.get("d") or "" for p in group if etree.QName(p).localname == "path")
        rings = [r for d in paths for r in path_rings(d)]
        if not rings:
            continue
        largest = max(rings, key=lambda r: (_box(r)[2] - _box(r)[0]) * (_box(r)[3] - _box(r)[1]))
        bx = _box(largest)
        cx, cy = (bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2
        if not _inside(largest, cx, cy):
            cx = sum(p[0] for p in largest) / len(largest)
            cy = sum(p[1] for p in largest) / len(largest)
        out.append(
            Country(
                code=classes[0],
                paths=paths,
                bbox=_box(p for r in rings for p in r),
                label_at=(cx, cy),
                label_span=bx[2] - bx[0],
            )
        )
    return tuple(out)


def country_at(lon: float, lat: float) -> str | None:
    """The code of the country whose outline holds the point, if any (tests use it to check the fit)."""
    x, y = project(lon, lat)
    for c in countries():
        if not (c.bbox[0] <= x <= c.bbox[2] and c.bbox[1] <= y <= c.bbox[3]):
            continue
        if any(_inside(r, x, y) for d in c.paths for r in path_rings(d)):
            return c.code
    return None


@dataclass(frozen=True, slots=True)
class Frame:
    """The part of the drawing the map shows, and its scale to screen pixels."""

    x: float
    y: float
    width: float
    height: float

    @property
    def scale(self) -> float:
        return MAP_WIDTH / self.width

    def to_screen(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.x) * self.scale, (y - self.y) * self.scale


def frame_for(points: Sequence[tuple[float, float]]) -> Frame:
    """A frame around the projected points with a margin, at least a region's width, at the map's aspect."""
    if points:
        x0, y0, x1, y1 = _box(points)
    else:
        x0, y0, x1, y1 = _box(project(lon, lat) for lon in DEFAULT_FRAME[::2] for lat in DEFAULT_FRAME[1::2])
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    min_width = 16 * 7.6  # about 16° of longitude: one strike never fills the whole map
    width = max((x1 - x0) * 1.3, min_width)
    height = max((y1 - y0) * 1.3, 1.0)
    aspect = MAP_WIDTH / MAP_HEIGHT
    width, height = max(width, height * aspect), max(height, width / aspect)
    return Frame(cx - width / 2, cy - height / 2, width, height)


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _deg(value: float, pos: str, neg: str) -> str:
    return f"{abs(value):g}°{pos if value > 0 else neg if value < 0 else ''}"


def _graticule(frame: Frame, legend: bool) -> list[str]:
    """Meridians and parallels with their degrees on the frame's edges: a lon/lat frame to read positions by."""
    lat_top, lat_bottom = unproject_lat(frame.y), unproject_lat(frame.y + frame.height)
    span = lat_top - lat_bottom
    step = 2 if span <= 14 else 5 if span <= 40 else 10 if span <= 90 else 20
    out = ['<g class="graticule" fill="none" stroke="#9fb3c4" stroke-width="0.6" stroke-dasharray="3 3">']
    labels = []
    lat = math.ceil(lat_bottom / step) * step
    while lat <= lat_top:
        _, y = frame.to_screen(0, project(0, lat)[1])
        out.append(f'<line x1="0" y1="{_fmt(y)}" x2="{MAP_WIDTH}" y2="{_fmt(y)}"/>')
        if not (legend and _LEGEND_BOX[1] - 4 < y - 3 < _LEGEND_BOX[3] + 14):  # not hidden behind the legend
            labels.append(f'<text x="6" y="{_fmt(y - 3)}" class="deg">{_deg(lat, "N", "S")}</text>')
        lat += step
    mid_lat = (lat_top + lat_bottom) / 2
    lon_left = _LON0 + math.degrees((frame.x - _X0) / (_RADIUS * 0.8487 * _interp(_ROBINSON_X, mid_lat))) - step
    lon_right = _LON0 + math.degrees((frame.x + frame.width - _X0) / (_RADIUS * 0.8487 * _interp(_ROBINSON_X, 0)))
    lon = math.ceil(lon_left / step) * step
    while lon <= lon_right + step:
        pts = []
        samples = 24
        for k in range(samples + 1):
            la = lat_bottom - 1 + (span + 2) * k / samples
            pts.append(frame.to_screen(*project(lon, la)))
        out.append('<polyline points="' + " ".join(f"{_fmt(a)},{_fmt(b)}" for a, b in pts) + '"/>')
        bottom_x = frame.to_screen(*project(lon, lat_bottom))[0]
        if 30 < bottom_x < MAP_WIDTH - 30:
            labels.append(
                f'<text x="{_fmt(bottom_x)}" y="{MAP_HEIGHT - 6}" class="deg" text-anchor="middle">'
                f"{_deg(lon, 'E', 'W')}</text>"
            )
        lon += step
    out.append("</g>")
    return [*out, '<g class="deg-labels">', *labels, "</g>"]


def _shade(events: int, top: int) -> str:
    """Fill of a target country: square-root steps, so one busy country does not wash out the rest."""
    if top <= 0:
        return SHADES[0]
    i = min(len(SHADES) - 1, int(math.sqrt(events / top) * len(SHADES)))
    return SHADES[max(i, 0)]


def _radius(events: int, top: int) -> float:
    """Circle radius in pixels: area grows with the count."""
    return 4.0 + 18.0 * math.sqrt(events / top) if top > 0 else 4.0


def _overlaps(box: tuple[float, float, float, float], taken: list[tuple[float, float, float, float]]) -> bool:
    return any(not (box[2] < t[0] or t[2] < box[0] or box[3] < t[1] or t[3] < box[1]) for t in taken)


def render_map(places: Sequence[Place], country_events: dict[str, int], names: dict[str, str]) -> str:
    """The map as an ``<svg>`` element of MAP_WIDTH × MAP_HEIGHT pixels.

    ``country_events`` shades target countries (ISO codes, any case); ``names`` gives display names for the
    country labels. Places are circles sized by their event count, the busiest labelled.
    """
    projected = [project(p.lon, p.lat) for p in places]
    frame = frame_for(projected)
    k = frame.scale
    shade_by = {code.lower(): n for code, n in country_events.items()}
    top_country = max((n for c, n in shade_by.items() if len(c) == 2), default=0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" '
        f'viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" role="img" aria-label="Map of targeted places">',
        f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="{SEA}"/>',
        f'<g transform="matrix({k:.5f} 0 0 {k:.5f} {-frame.x * k:.2f} {-frame.y * k:.2f})" '
        f'stroke="{BORDER}" stroke-width="1" stroke-linejoin="round">',
    ]
    fx0, fy0, fx1, fy1 = frame.x, frame.y, frame.x + frame.width, frame.y + frame.height
    visible = [
        c for c in countries() if c.bbox[2] >= fx0 and c.bbox[0] <= fx1 and c.bbox[3] >= fy0 and c.bbox[1] <= fy1
    ]
    for c in visible:
        n = shade_by.get(c.code, 0)
        fill = _shade(n, top_country) if n else LAND
        title = html.escape(names.get(c.code.upper(), c.code.upper()))
        tip = f"{title}: {n} event{'s' if n != 1 else ''} targeted" if n else title
        out.append(f'<g fill="{fill}"><title>{tip}</title>')
        out.extend(f'<path d="{d}" vector-effect="non-scaling-stroke"/>' for d in c.paths)
        out.append("</g>")
    out.append("</g>")
    out.extend(_graticule(frame, legend=bool(places)))

    top = max((p.events for p in places), default=0)
    order = sorted(range(len(places)), key=lambda i: -places[i].events)  # big circles first, small on top
    screen = {i: frame.to_screen(*projected[i]) for i in order}
    radius = {i: _radius(places[i].events, top) for i in order}
    circles = [_circle(places[i], *screen[i], radius[i]) for i in order]
    # Labels avoid the circles and each other; the legend's corner is taken from the start.
    taken: list[tuple[float, float, float, float]] = [
        (screen[i][0] - radius[i], screen[i][1] - radius[i], screen[i][0] + radius[i], screen[i][1] + radius[i])
        for i in order
    ]
    if top:
        taken.append(_LEGEND_BOX)
    point_labels: list[str] = []
    for i in order[:10]:
        p = places[i]
        (sx, sy), r = screen[i], radius[i]
        text = f"{p.location_name} ({p.events})"
        width = 7.0 * len(text)
        for dx, dy, anchor in ((r + 4, 4, "start"), (-r - 4, 4, "end"), (0, -r - 5, "middle"), (0, r + 14, "middle")):
            x0 = sx + dx - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
            box = (x0, sy + dy - 11, x0 + width, sy + dy + 3)
            own = (sx - r, sy - r, sx + r, sy + r)
            if not _within(box) or _overlaps(box, [t for t in taken if t != own]):
                continue
            taken.append(box)
            point_labels.append(
                f'<text x="{_fmt(sx + dx)}" y="{_fmt(sy + dy)}" class="place" text-anchor="{anchor}">'
                f"{html.escape(text)}</text>"
            )
            break

    # Country names: targeted countries first (wherever they fit near their middle), then the big neighbours.
    labels: list[str] = []
    for c in sorted(visible, key=lambda c: (-shade_by.get(c.code, 0), -c.label_span)):
        n = shade_by.get(c.code, 0)
        if c.label_span * k < (12 if n else 70):
            continue
        sx, sy = frame.to_screen(*c.label_at)
        name = names.get(c.code.upper(), c.code.upper())
        width = 8.4 * len(name) + 4  # capitals, letter-spaced
        side = width / 2 + 14
        nudges = (
            (0, 0), (0, -18), (0, 18), (0, -34), (0, 34), (-side, 0), (side, 0),
            (-side - 30, 10), (-side - 30, -10), (-side - 60, 24), (side + 30, 10), (side + 30, -10),
        )  # fmt: skip
        for dx, dy in nudges if n else ((0, 0),):
            box = (sx + dx - width / 2, sy + dy - 11, sx + dx + width / 2, sy + dy + 3)
            if not _within(box) or _overlaps(box, taken):
                continue
            taken.append(box)
            cx0, cy0 = frame.to_screen(c.bbox[0], c.bbox[1])
            cx1, cy1 = frame.to_screen(c.bbox[2], c.bbox[3])
            if not (cx0 <= sx + dx <= cx1 and cy0 <= sy + dy <= cy1):  # off its country: a leader line says whose
                lx = min(max(sx, box[0]), box[2])
                ly = min(max(sy, box[1]), box[3])
                labels.append(f'<line x1="{_fmt(sx)}" y1="{_fmt(sy)}" x2="{_fmt(lx)}" y2="{_fmt(ly)}" class="leader"/>')
            labels.append(
                f'<text x="{_fmt(sx + dx)}" y="{_fmt(sy + dy)}" class="{"country target" if n else "country"}" '
                f'text-anchor="middle">{html.escape(name)}</text>'
            )
            break
    out.extend(labels)
    out.extend(circles)
    out.extend(point_labels)
    out.extend(_legend(top, top_country))
    out.append(f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="none" stroke="{COAST}"/>')
    out.append("</svg>")
    return "\n".join(out)


def _within(box: tuple[float, float, float, float], margin: float = 4) -> bool:
    return box[0] >= margin and box[1] >= margin and box[2] <= MAP_WIDTH - margin and box[3] <= MAP_HEIGHT - 22


def _circle(p: Place, sx: float, sy: float, r: float) -> str:
    """One place's circle, its numbers in the tooltip."""
    outcome = []
    if p.intercepted:
        outcome.append(f"{p.intercepted} intercepted")
    if p.hit:
        outcome.append(f"{p.hit} hit")
    tip = f"{p.location_name}: {p.events} event{'s' if p.events != 1 else ''}"
    tip += f" ({', '.join(outcome)})" if outcome else ""
    tip += f", last {p.last_date.isoformat()}" if p.last_date else ""
    return (
        f'<circle cx="{_fmt(sx)}" cy="{_fmt(sy)}" r="{_fmt(r)}" fill="{POINT}" fill-opacity="0.72" '
        f'stroke="#ffffff" stroke-width="1.2"><title>{html.escape(tip)}</title></circle>'
    )


_LEGEND_BOX = (12.0, MAP_HEIGHT - 130.0, 352.0, MAP_HEIGHT - 28.0)


def _legend(top_place: int, top_country: int) -> list[str]:
    """Circle sizes and country shades, bottom left, on a white card (above the longitude labels)."""
    if top_place <= 0:
        return []
    x0, y0, x1, y1 = _LEGEND_BOX
    out = [
        f'<g class="legend"><rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="6" fill="#ffffff" '
        'fill-opacity="0.94" stroke="#d0d7de"/>',
        f'<text x="{x0 + 12}" y="{y0 + 20}" class="legend-title">Events per place</text>',
    ]
    sizes = sorted({1, max(1, round(top_place / 4)), top_place}, reverse=True)
    base = y0 + 76
    cx = x0 + 14
    for n in sizes:
        r = _radius(n, top_place)
        cx += r
        out.append(
            f'<circle cx="{_fmt(cx)}" cy="{_fmt(base - r)}" r="{_fmt(r)}" fill="{POINT}" fill-opacity="0.72" '
            'stroke="#ffffff" stroke-width="1.2"/>'
        )
        out.append(f'<text x="{_fmt(cx)}" y="{base + 16}" text-anchor="middle" class="legend-text">{n}</text>')
        cx += r + 16
    sx = x0 + 178
    out.append(f'<text x="{sx}" y="{y0 + 20}" class="legend-title">Events in target country</text>')
    for i, colour in enumerate(SHADES):
        out.append(f'<rect x="{sx + i * 30}" y="{y0 + 34}" width="28" height="16" fill="{colour}"/>')
    out.append(f'<text x="{sx}" y="{y0 + 68}" class="legend-text">1</text>')
    out.append(f'<text x="{sx + 148}" y="{y0 + 68}" text-anchor="end" class="legend-text">{top_country}</text>')
    out.append(f'<text x="{sx}" y="{y0 + 88}" class="legend-text">square-root steps</text>')
    out.append("</g>")
    return out
