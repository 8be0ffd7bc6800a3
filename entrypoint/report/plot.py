"""One metric's history as an inline SVG line chart: one line per distinct history.

Runs whose histories are identical (every step and value, bit for bit) draw one line, and its legend names them
all and says so: identical runs drawn on top of each other would look like one run anyway, and a reader must not
take the missing lines for missing runs. Lines differ by dash pattern as well as by colour, so they stay apart in
print and for readers who do not tell the colours apart. The colours are dark enough for a 4.5:1 contrast on white
(WCAG 2.1, 1.4.11 asks 3:1 for graphics).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .model import Run

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40  # margins for the axes' labels
# (colour, dash pattern): Okabe and Ito's colour-blind-safe palette, darkened for contrast on white.
STYLES = (("#0b5394", ""), ("#a34700", "8 4"), ("#006e4f", "2 3"), ("#8e2c6f", "10 3 2 3"), ("#5b4a00", "4 4"),
          ("#00607a", "1 2"))
TICKS = 5


@dataclass(frozen=True)
class Series:
    runs: tuple[str, ...]  # run ids with exactly this history
    points: tuple[tuple[int, float], ...]

    @property
    def identical(self) -> bool:
        return len(self.runs) > 1


def choose_metric(runs: list[Run], wanted: str | None = None) -> str | None:
    """`wanted`, else the first metric (by name) every run logged, preferring one with a history over one value."""
    if wanted is not None:
        return wanted
    names = set.intersection(*(set(run.metrics) for run in runs)) if runs else set()
    if not names:
        return None
    return min(names, key=lambda name: (min(len(run.metrics[name]) for run in runs) < 2, name))


def series(runs: list[Run], metric: str) -> list[Series]:
    """The distinct histories of `metric`, in the order of the runs; runs without it are left out."""
    found: dict[tuple, list[str]] = {}
    for run in runs:
        points = tuple((step, value) for step, value in run.metrics.get(metric, []) if math.isfinite(value))
        if points:
            found.setdefault(points, []).append(run.run_id)
    return [Series(tuple(ids), points) for points, ids in found.items()]


def _scale(low: float, high: float, size: float, flip: bool):
    span = (high - low) or 1.0
    return lambda v: (size - (v - low) / span * size) if flip else (v - low) / span * size


def _ticks(low: float, high: float) -> list[float]:
    if high == low:
        return [low]
    return [low + (high - low) * i / (TICKS - 1) for i in range(TICKS)]


def _axes(xs: tuple[float, float], ys: tuple[float, float], x, y, plot_w: float, plot_h: float) -> list[str]:
    parts = [f'<line class="axis" x1="0" y1="{plot_h}" x2="{plot_w}" y2="{plot_h}"/>',
             f'<line class="axis" x1="0" y1="0" x2="0" y2="{plot_h}"/>']
    for value in _ticks(*ys):
        parts.append(f'<text class="tick" x="-6" y="{y(value):.1f}" text-anchor="end" dominant-baseline="middle">'
                     f'{value:.4g}</text>')
    for value in sorted({round(v) for v in _ticks(*xs)}):
        parts.append(f'<text class="tick" x="{x(value):.1f}" y="{plot_h + 16}" text-anchor="middle">{value}</text>')
    parts.append(f'<text class="label" x="{plot_w / 2}" y="{plot_h + 34}" text-anchor="middle">step</text>')
    return parts


def _legend(lines: list[Series]) -> str:
    items = []
    for index, line in enumerate(lines):
        colour, dash = STYLES[index % len(STYLES)]
        names = ", ".join(run[:8] for run in line.runs)
        note = f" (identical: {len(line.runs)} runs, one line)" if line.identical else ""
        items.append(f'<li><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" '
                     f'stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"/></svg> '
                     f'run{"s" if line.identical else ""} {escape(names)}{escape(note)}</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'


def svg(lines: list[Series], metric: str) -> str:
    """The chart (an <svg> element) and its legend (a <ul>), as HTML."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    steps = [p[0] for line in lines for p in line.points]
    values = [p[1] for line in lines for p in line.points]
    xs, ys = (min(steps), max(steps)), (min(values), max(values))
    x, y = _scale(*xs, plot_w, flip=False), _scale(*ys, plot_h, flip=True)
    body = _axes(xs, ys, x, y, plot_w, plot_h)
    body.append(f'<text class="label" transform="rotate(-90)" x="{-plot_h / 2}" y="{12 - LEFT}" '
                f'text-anchor="middle">{escape(metric)}</text>')
    for index, line in enumerate(lines):
        colour, dash = STYLES[index % len(STYLES)]
        coordinates = " ".join(f"{x(step):.1f},{y(value):.1f}" for step, value in line.points)
        runs = quoteattr(" ".join(line.runs))
        body.append(f'<polyline class="series" data-runs={runs} points="{coordinates}" fill="none" '
                    f'stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"/>')
        body += [f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>' for s, v in line.points]
    description = "; ".join(
        f"{'runs' if line.identical else 'run'} {', '.join(r[:8] for r in line.runs)}: {len(line.points)} points "
        f"from {line.points[0][1]:.6g} to {line.points[-1][1]:.6g}" for line in lines)
    title = f"{metric} by step, {len(lines)} distinct line{'s' if len(lines) != 1 else ''}"
    return (f'<svg class="plot" role="img" aria-labelledby="plot-title plot-desc" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}"><title id="plot-title">{escape(title)}</title>'
            f'<desc id="plot-desc">{escape(description)}</desc><g transform="translate({LEFT},{TOP})">'
            f'{"".join(body)}</g></svg>{_legend(lines)}')
