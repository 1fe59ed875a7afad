"""Dashboard: orders per day by tag, and return deadlines around today, as server-rendered SVG.

    data(db, shop, today)  -> {"orders_by_day": [...], "deadlines": [...], "tags": [...]}
    orders_chart(data)     -> "<svg ...>"  (stacked bars, one colour per tag)
    deadlines_chart(data)  -> "<svg ...>"  (bars per day, a line at today)
"""
from __future__ import annotations

from datetime import date, timedelta
from html import escape

from sqlmodel import select

from backend.store.models import OrderState

DAYS = 30
COLOURS = ["#d72c0d", "#b98900", "#2c6ecb", "#8a3ffc", "#007f5f", "#6d7175"]
UNTAGGED = "no tag"
W, H, PAD_L, PAD_B, PAD_T, PAD_R = 720, 220, 36, 28, 14, 24


def data(db, shop: str, today: date) -> dict:
    with db.session() as s:
        rows = list(s.exec(select(OrderState.facts, OrderState.tags_written, OrderState.deadline_written)
                           .where(OrderState.shop_domain == shop)))
    first = today - timedelta(days=DAYS - 1)
    by_day = {first + timedelta(days=i): {} for i in range(DAYS)}
    deadlines = {today + timedelta(days=i): 0 for i in range(-DAYS, DAYS + 1)}
    tags: list[str] = []
    for facts, written, deadline in rows:
        created = _day((facts or {}).get("created_at"))
        if created in by_day:
            for tag in sorted(written or []) or [UNTAGGED]:
                by_day[created][tag] = by_day[created].get(tag, 0) + 1
                if tag not in tags:
                    tags.append(tag)
        if (d := _day(deadline)) in deadlines:
            deadlines[d] += 1
    tags.sort(key=lambda t: (t == UNTAGGED, t))
    return {"today": today, "tags": tags,
            "orders_by_day": [{"day": d, "counts": c} for d, c in by_day.items()],
            "deadlines": [{"day": d, "count": n} for d, n in deadlines.items()]}


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _frame(title: str, peak: int) -> list[str]:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" class="chart" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for frac in (0, 0.5, 1):
        y = H - PAD_B - frac * (H - PAD_B - PAD_T)
        out.append(f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e1e3e5"/>')
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="#6d7175">'
                   f'{round(peak * frac)}</text>')
    return out


def _x_labels(days: list[date], step: int) -> list[str]:
    width = (W - PAD_L - PAD_R) / len(days)
    return [f'<text x="{PAD_L + (i + .5) * width:.1f}" y="{H - 10}" text-anchor="middle" font-size="10" '
            f'fill="#6d7175">{d.strftime("%b %d")}</text>' for i, d in enumerate(days) if i % step == 0]


def orders_chart(d: dict) -> str:
    days = [row["day"] for row in d["orders_by_day"]]
    peak = max([sum(r["counts"].values()) for r in d["orders_by_day"]] + [1])
    width, scale = (W - PAD_L - PAD_R) / len(days), (H - PAD_B - PAD_T) / peak
    colour = {t: COLOURS[i % len(COLOURS)] if t != UNTAGGED else "#c9cccf" for i, t in enumerate(d["tags"])}
    out = _frame("Orders per day by tag, last 30 days", peak)
    for i, row in enumerate(d["orders_by_day"]):
        y = H - PAD_B
        for tag in d["tags"]:
            n = row["counts"].get(tag, 0)
            if n:
                h = n * scale
                y -= h
                out.append(f'<rect x="{PAD_L + i * width + 2:.1f}" y="{y:.1f}" width="{width - 4:.1f}" '
                           f'height="{h:.1f}" fill="{colour[tag]}"><title>{row["day"]:%b %d}: {n} × '
                           f'{escape(tag)}</title></rect>')
    out += _x_labels(days, 5)
    out.append("</svg>")
    legend = "".join(f'<span class="legend"><i style="background:{colour[t]}"></i>{escape(t)}</span>'
                     for t in d["tags"])
    return "".join(out) + f'<div class="legends">{legend or "No orders in the last 30 days."}</div>'


def deadlines_chart(d: dict) -> str:
    rows = d["deadlines"]
    days = [r["day"] for r in rows]
    peak = max([r["count"] for r in rows] + [1])
    width, scale = (W - PAD_L - PAD_R) / len(days), (H - PAD_B - PAD_T) / peak
    out = _frame("Return deadlines, last and next 30 days", peak)
    for i, row in enumerate(rows):
        if row["count"]:
            h = row["count"] * scale
            fill = "#2c6ecb" if row["day"] >= d["today"] else "#8c9196"
            out.append(f'<rect x="{PAD_L + i * width + 1:.1f}" y="{H - PAD_B - h:.1f}" width="{width - 2:.1f}" '
                       f'height="{h:.1f}" fill="{fill}"><title>{row["day"]:%b %d}: {row["count"]} '
                       f'deadline(s)</title></rect>')
    x = PAD_L + (days.index(d["today"]) + .5) * width
    out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_T}" y2="{H - PAD_B}" stroke="#d72c0d" '
               f'stroke-dasharray="4 3"/><text x="{x + 4:.1f}" y="{PAD_T + 8}" font-size="10" '
               f'fill="#d72c0d">today</text>')
    out += _x_labels(days, 10)
    out.append("</svg>")
    upcoming = sum(r["count"] for r in rows if r["day"] >= d["today"])
    return "".join(out) + f'<div class="legends">{upcoming} return deadline(s) in the next 30 days.</div>'
