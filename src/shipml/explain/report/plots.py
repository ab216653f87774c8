"""Explain: the report's figures, drawn with matplotlib's Agg canvas as inline PNG data URIs.

No pyplot: each figure is its own `Figure` on an Agg canvas, so nothing global (backend, state)
is touched and nothing happens at import time.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from shipml.explain.importance import Importance
    from shipml.explain.pdp import PartialDependence
    from shipml.explain.shap_values import Contributions

BLUE, ORANGE, GREY, RED = "#2b6cb0", "#dd6b20", "#a0aec0", "#c53030"


def figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _style(ax: Axes, title: str, xlabel: str, ylabel: str = "") -> None:
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def importance_plot(
    single: Sequence[Importance], groups: Sequence[Importance], metric: str, top: int
) -> str:
    shown = list(single[:top])
    alone = {i.name: i for i in single}
    pairs = [x for g in groups for x in [(g, ORANGE)] + [(alone[m], BLUE) for m in g.members]]
    fig = figure(10.0 if groups else 7.0, 0.9 + 0.32 * max(len(shown), len(pairs), 3))
    axes = fig.subplots(1, 2 if groups else 1, squeeze=False)[0]
    label = f"worsening of {metric} when shuffled (test rows)"
    _bars(axes[0], [(i, BLUE) for i in shown])
    _style(axes[0], "Permutation importance, per feature", label)
    if groups:
        _bars(axes[1], pairs)
        _style(axes[1], "Correlated groups (orange) vs members alone", label)
    return data_uri(fig)


def _bars(ax: Axes, items: Sequence[tuple[Importance, str]]) -> None:
    y = np.arange(len(items))[::-1]
    means = np.array([i.mean for i, _ in items])
    err = np.array([[i.mean - i.low for i, _ in items], [i.high - i.mean for i, _ in items]])
    ax.barh(y, means, xerr=err.clip(min=0), color=[c for _, c in items], alpha=0.85, capsize=3,
            height=0.7)  # fmt: skip
    ax.set_yticks(y, [_short(i.name, 38) for i, _ in items])
    ax.axvline(0, color="black", lw=0.6)


def pdp_plot(curves: Sequence[PartialDependence], output: str) -> str:
    from matplotlib.collections import LineCollection  # one artist for all ICE curves: fast

    cols = min(3, len(curves))
    rows = int(np.ceil(len(curves) / cols))
    fig = figure(3.3 * cols, 2.8 * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, c in zip(axes, curves, strict=False):
        x = np.arange(len(c.grid)) if c.discrete else np.asarray(c.grid, dtype=float)
        step = max(1, len(c.ice) // 80)
        ice = c.ice[::step]
        segments = np.stack([np.broadcast_to(x, ice.shape), ice], axis=-1)
        ax.add_collection(LineCollection(list(segments), colors=GREY, linewidths=0.5, alpha=0.5))
        mark = "o" if c.discrete else None
        ax.plot(x, c.pdp, color=RED if c.interaction else BLUE, lw=2.2, marker=mark, ms=4)
        if c.discrete:
            every = max(1, len(x) // 8)  # at most ~8 labels stay readable
            labels = [_short(str(g), 12) for g in c.grid]
            ax.set_xticks(x[::every], labels[::every], rotation=45, ha="right")
        flag = "  ⚠ interaction" if c.interaction else ""
        unit = "category or date" if c.discrete else "input units"
        _style(ax, f"{_short(c.feature, 24)}{flag}", f"{c.feature} ({unit})", output)
        ax.text(0.01, 0.98, f"heterogeneity {c.heterogeneity:.2f}", transform=ax.transAxes,
                fontsize=7, va="top")  # fmt: skip
    for ax in axes[len(curves) :]:
        ax.set_visible(False)
    return data_uri(fig)


def shap_bar_plot(shap: Contributions, top: int) -> str:
    mean = shap.mean_abs()
    order = np.argsort(mean)[::-1][:top]
    fig = figure(6.0, 0.9 + 0.3 * len(order))
    ax = fig.subplots()
    y = np.arange(len(order))[::-1]
    ax.barh(y, mean[order], color=BLUE)
    ax.set_yticks(y, [_short(shap.features[i], 30) for i in order])
    _style(ax, "Mean |SHAP contribution|", f"mean absolute contribution ({shap.scale})")
    return data_uri(fig)


def beeswarm_plot(shap: Contributions, raw: dict[str, np.ndarray], top: int) -> str:
    mean = shap.mean_abs()
    order = np.argsort(mean)[::-1][:top]
    fig = figure(7.5, 1.0 + 0.38 * len(order))
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    for pos, i in enumerate(order[::-1]):
        values = shap.values[:, i]
        colour = _colour_values(raw.get(shap.features[i]))
        jitter = rng.uniform(-0.3, 0.3, len(values)) * _density(values)
        sc = ax.scatter(values, pos + jitter, c=colour, cmap="coolwarm", s=5, vmin=0, vmax=1,
                        alpha=0.7, linewidths=0)  # fmt: skip
    ax.set_yticks(range(len(order)), [_short(shap.features[i], 30) for i in order[::-1]])
    ax.axvline(0, color="black", lw=0.6)
    _style(ax, "SHAP beeswarm (one dot per test row)", f"contribution ({shap.scale})")
    if len(order):
        bar = fig.colorbar(sc, ax=ax, pad=0.01, aspect=30)
        bar.set_label("feature value (low → high; categories in grey)", fontsize=8)
    return data_uri(fig)


def local_plot(shap: Contributions, row: int, top: int = 8) -> str:
    values = shap.values[row]
    order = np.argsort(np.abs(values))[::-1][:top]
    fig = figure(6.0, 0.9 + 0.3 * len(order))
    ax = fig.subplots()
    y = np.arange(len(order))[::-1]
    ax.barh(y, values[order], color=[RED if v > 0 else BLUE for v in values[order]])
    ax.set_yticks(y, [_short(shap.features[i], 30) for i in order])
    ax.axvline(0, color="black", lw=0.6)
    title = f"base {shap.base:.3g} → output {shap.output[row]:.3g}"
    _style(ax, title, f"contribution ({shap.scale})")
    return data_uri(fig)


def lines_plot(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    title: str,
    xlabel: str,
    ylabel: str,
    *,
    marker: float | None = None,
    diagonal: bool = False,
) -> str:
    fig = figure(5.2, 3.4)
    ax = fig.subplots()
    for name, (x, y) in series.items():
        ax.plot(x, y, lw=1.8, marker="o" if len(x) <= 20 else None, ms=3, label=name)
    if diagonal:
        ax.plot([0, 1], [0, 1], ls="--", color=GREY, lw=1, label="perfectly calibrated")
    if marker is not None:
        ax.axvline(marker, color=RED, ls=":", lw=1.5, label=f"chosen threshold {marker:.3g}")
    ax.legend(fontsize=7, frameon=False)
    _style(ax, title, xlabel, ylabel)
    return data_uri(fig)


def spread_plot(
    folds: Mapping[str, Sequence[float]], metric: str, reference: str = "baseline"
) -> str:
    """One row of dots per family. A `reference` (the baseline) far off the models' range is
    drawn as an arrow at the axis edge labelled with its mean, so the models stay readable."""
    fig = figure(6.0, 0.9 + 0.4 * len(folds))
    ax = fig.subplots()
    names = list(folds)[::-1]
    limits = spread_limits(folds, reference)
    for pos, name in enumerate(names):
        scores = np.asarray(folds[name], dtype=float)
        mean = float(np.nanmean(scores)) if np.isfinite(scores).any() else float("nan")
        if name == reference and limits is not None and limits[2] != 0:
            edge = limits[0] if limits[2] < 0 else limits[1]
            ax.annotate(
                f"{'◀ ' if limits[2] < 0 else ''}mean {mean:.4g}, off scale"
                f"{' ▶' if limits[2] > 0 else ''}", (edge, pos), fontsize=8, color=RED,
                ha="left" if limits[2] < 0 else "right", va="center",
            )  # fmt: skip
            continue
        ax.plot(scores, np.full(len(scores), pos), "o", color=BLUE, alpha=0.7)
        ax.plot([mean], [pos], "|", color=RED, ms=18, mew=2)
    if limits is not None:
        ax.set_xlim(limits[0], limits[1])
    ax.set_yticks(range(len(names)), names)
    _style(ax, "Cross-validation score per fold (red: mean)", f"{metric} on each validation fold")
    return data_uri(fig)


def spread_limits(
    folds: Mapping[str, Sequence[float]], reference: str = "baseline"
) -> tuple[float, float, int] | None:
    """The x-axis limits that keep the families other than `reference` readable, and where the
    reference lies: -1 left of them, 1 right of them, 0 on the scale. None: the default axis
    (no reference, or no other family with a finite score)."""
    others = [np.asarray(v, dtype=float) for k, v in folds.items() if k != reference]
    values = np.concatenate(others) if others else np.array([])
    values = values[np.isfinite(values)]
    if reference not in folds or not len(values):
        return None
    low, high = float(values.min()), float(values.max())
    span = max(high - low, 1e-3 * max(abs(high), 1.0))
    base = np.asarray(folds[reference], dtype=float)
    base = base[np.isfinite(base)]
    pad = 0.15 * span
    if not len(base):
        return low - pad, high + pad, 0
    b_low, b_high = float(base.min()), float(base.max())
    if b_high < low - 2 * span:  # far below: keep the models' scale, room for the label
        return low - 1.2 * span, high + pad, -1
    if b_low > high + 2 * span:
        return low - pad, high + 1.2 * span, 1
    return min(low, b_low) - pad, max(high, b_high) + pad, 0


def scatter_plot(actual: np.ndarray, predicted: np.ndarray, target: str, rows: str) -> str:
    """Predicted against actual values, with the y = x line."""
    fig = figure(5.2, 4.2)
    ax = fig.subplots()
    ax.scatter(actual, predicted, s=5, alpha=0.35, color=BLUE, linewidths=0)
    both = np.concatenate([actual, predicted])
    both = both[np.isfinite(both)]
    if len(both):
        lo, hi = float(both.min()), float(both.max())
        ax.plot([lo, hi], [lo, hi], ls="--", color=RED, lw=1.2, label="y = x (perfect)")
        ax.legend(fontsize=7, frameon=False, loc="upper left")
    _style(ax, f"Predicted against actual ({rows})", f"actual {target}", f"predicted {target}")
    ax.grid(alpha=0.3)
    return data_uri(fig)


def residual_plot(predicted: np.ndarray, residual: np.ndarray, target: str, rows: str) -> str:
    """Residual (actual - predicted) against predicted, with the mean residual per decile."""
    fig = figure(5.2, 4.2)
    ax = fig.subplots()
    ax.scatter(predicted, residual, s=5, alpha=0.35, color=BLUE, linewidths=0)
    ax.axhline(0, color="black", lw=0.8)
    edges = np.unique(np.quantile(predicted, np.linspace(0, 1, 11)))
    if len(edges) > 2:
        which = np.clip(np.searchsorted(edges, predicted, side="right") - 1, 0, len(edges) - 2)
        counts = np.bincount(which, minlength=len(edges) - 1)
        keep = counts > 0
        mx = np.bincount(which, predicted, len(edges) - 1)[keep] / counts[keep]
        my = np.bincount(which, residual, len(edges) - 1)[keep] / counts[keep]
        ax.plot(mx, my, color=ORANGE, lw=2, marker="o", ms=3, label="mean residual per decile")
        ax.legend(fontsize=7, frameon=False)
    _style(ax, f"Residuals ({rows})", f"predicted {target}", "residual: actual − predicted")
    ax.grid(alpha=0.3)
    return data_uri(fig)


def count_bars_plot(series: dict[str, np.ndarray], title: str, xlabel: str, ylabel: str) -> str:
    """Side-by-side bars of counts over 0..n (for example labels per row, true and decided)."""
    width = max(len(v) for v in series.values())
    last = max((int(np.flatnonzero(v).max()) for v in series.values() if v.any()), default=0)
    n = min(width, last + 1)
    return bars_plot({k: v[:n] for k, v in series.items()}, title, xlabel, ylabel)


def bars_plot(
    series: dict[str, np.ndarray], title: str, xlabel: str, ylabel: str,
    ticks: Sequence[str] | None = None, shares: bool = False,
) -> str:  # fmt: skip
    """Side-by-side bars at 0..n-1 (named by `ticks`); `shares`: 0-1, room above for the key."""
    x = np.arange(max(len(v) for v in series.values()))
    fig = figure(6.4, 3.4)
    ax = fig.subplots()
    step = 0.8 / len(series)
    colours = (BLUE, ORANGE, GREY)
    for i, (name, values) in enumerate(series.items()):
        ax.bar(x + (i - (len(series) - 1) / 2) * step, values, step, label=name,
               color=colours[i % len(colours)])  # fmt: skip
    ax.set_xticks(x, None if ticks is None else list(ticks))
    if shares:
        ax.set_ylim(0, 1.2)
        ax.set_yticks(np.linspace(0, 1, 6))
    ax.legend(fontsize=8, frameon=False)
    _style(ax, title, xlabel, ylabel)
    return data_uri(fig)


def confusion_plot(counts: np.ndarray, labels: Sequence[str], rows: str, unit: str) -> str:
    """Counts [true][decided], coloured by the share of each true class (row-normalised)."""
    k = len(labels)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts, dtype=float), where=totals > 0)
    size = 1.6 + 0.75 * k
    fig = figure(size + 1.2, size)
    ax = fig.subplots()
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    fontsize = 9 if k <= 6 else 7
    for i in range(k):
        for j in range(k):
            text = f"{counts[i, j]:,.0f}\n{share[i, j]:.0%}"
            colour = "white" if share[i, j] > 0.6 else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize, color=colour)
    short = [_short(str(x), 14) for x in labels]
    ax.set_xticks(range(k), short, rotation=45 if k > 4 else 0, ha="right" if k > 4 else "center")
    ax.set_yticks(range(k), short)
    ax.set_title(f"Confusion matrix ({rows})", fontsize=11, loc="left")
    ax.set_xlabel("decided class", fontsize=9)
    ax.set_ylabel("true class", fontsize=9)
    ax.tick_params(labelsize=8)
    bar = fig.colorbar(image, ax=ax, pad=0.02, aspect=30)
    bar.set_label(f"share of the true class ({unit})", fontsize=8)
    return data_uri(fig)


def curve_plot(
    x: np.ndarray,
    y: np.ndarray,
    title: str,
    xlabel: str,
    ylabel: str,
    *,
    chance: tuple[tuple[float, float], tuple[float, float], str],
    point: tuple[float, float] | None = None,
    step: bool = False,
) -> str:
    """One curve on the unit square, a dashed line for what chance gives, and the chosen point."""
    fig = figure(5.2, 3.8)
    ax = fig.subplots()
    if step:
        ax.step(x, y, where="post", color=BLUE, lw=1.8)
    else:
        ax.plot(x, y, color=BLUE, lw=1.8)
    (x0, x1), (y0, y1), label = chance
    ax.plot([x0, x1], [y0, y1], ls="--", color=GREY, lw=1, label=label)
    if point is not None and all(np.isfinite(point)):
        ax.plot([point[0]], [point[1]], "o", color=RED, ms=6, label="at the chosen threshold")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.legend(fontsize=7, frameon=False, loc="lower right" if not step else "lower left")
    _style(ax, title, xlabel, ylabel)
    return data_uri(fig)


def fairness_plot(groups: Sequence[Any], by: str) -> str:
    metrics = ("selection_rate", "tpr", "fpr")
    fig = figure(7.5, 1.0 + 0.33 * len(groups) * 1.2)
    ax = fig.subplots()
    y = np.arange(len(groups))[::-1]
    for k, (m, colour) in enumerate(zip(metrics, (BLUE, ORANGE, GREY), strict=True)):
        vals = np.array([g.values[m] for g in groups])
        low = np.array([g.intervals[m][0] for g in groups])
        high = np.array([g.intervals[m][1] for g in groups])
        err = np.nan_to_num(np.vstack([vals - low, high - vals]).clip(min=0))
        ax.barh(y + (1 - k) * 0.27, vals, height=0.26, xerr=err, color=colour, label=m,
                capsize=2)  # fmt: skip
    ax.set_yticks(y, [_short(_values_only(g.group), 40) for g in groups])
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _style(ax, f"Rates by {by} (95% bootstrap intervals)", "rate (share of rows, 0–1)")
    return data_uri(fig)


def _values_only(group: str) -> str:
    """'sex=Female & race=Black' -> 'Female · Black' (the axis title names the columns)."""
    parts = group.split(" & ")
    if len(parts) == 1:
        return group
    return " · ".join(p.split("=", 1)[-1] for p in parts)


def _colour_values(raw: np.ndarray | None) -> np.ndarray | str:
    if raw is None:
        return GREY
    try:
        x = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        return np.full(len(raw), 0.5)
    ranks = np.argsort(np.argsort(np.where(np.isnan(x), np.nanmedian(x), x)))
    return ranks / max(len(x) - 1, 1)


def _density(values: np.ndarray) -> np.ndarray:
    hist, edges = np.histogram(values, bins=40)
    idx = np.clip(np.digitize(values, edges) - 1, 0, len(hist) - 1)
    return hist[idx] / max(hist.max(), 1)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
