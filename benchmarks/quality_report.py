"""Quality benchmark report: Markdown tables rendered from a results CSV (never typed by hand).

Per dataset and system: the mean test score ± its standard deviation over seeds, the mean fit
wall time, the median single-row latency and the model size; then shipml's win/tie/loss count
against each peer, where a tie is a difference of means within the larger of the two standard
deviations; then what each system chose (from the `.details.jsonl` beside the CSV).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import quality_datasets as qd

START, END = "<!-- quality:start -->", "<!-- quality:end -->"
PEERS = ("flaml", "autogluon", "hgb")  # hgb: scikit-learn's HistGradientBoosting defaults


def fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    a = abs(x)
    return f"{x:.1f}" if a >= 100 else f"{x:.3f}" if a >= 1 else f"{x:.4f}"


def summarize(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, system): score mean and sd over the seeds that ran, and costs."""
    out = []
    for (dataset, system), g in rows.groupby(["dataset", "system"], sort=False):
        ok = g[g["status"] == "ok"]
        n = len(ok)
        out.append({
            "dataset": dataset, "system": system, "task": g["task"].iloc[0],
            "metric": g["metric"].iloc[0], "runs": f"{n}/{len(g)}",
            "mean": ok["score"].mean() if n else math.nan,
            "sd": ok["score"].std(ddof=1) if n > 1 else 0.0 if n else math.nan,
            "accuracy": ok["accuracy"].mean() if n else math.nan,
            "fit_s": ok["fit_s"].mean() if n else math.nan,
            "latency_ms": ok["latency_ms"].median() if n else math.nan,
            "size_mb": ok["size_mb"].mean() if n else math.nan,
        })  # fmt: skip
    return pd.DataFrame(out)


def verdict(metric: str, ours: pd.Series, theirs: pd.Series) -> str | None:
    """win / tie / loss of `ours` against `theirs`; None when either never ran."""
    if math.isnan(ours["mean"]) or math.isnan(theirs["mean"]):
        return None
    if abs(ours["mean"] - theirs["mean"]) <= max(ours["sd"], theirs["sd"]):
        return "tie"
    return "win" if qd.better(metric, ours["mean"], theirs["mean"]) else "loss"


def seeds_won(rows: pd.DataFrame, dataset: str, peer: str) -> tuple[int, int]:
    """On how many seeds, of those where both ran, shipml beat the peer on the same split."""
    ok = rows[(rows["dataset"] == dataset) & (rows["status"] == "ok")]
    scores = ok.pivot_table(index="seed", columns="system", values="score")
    if not {"shipml", peer} <= set(scores.columns):
        return 0, 0
    both = scores[["shipml", peer]].dropna()
    metric = str(ok["metric"].iloc[0])
    won = sum(qd.better(metric, a, b) for a, b in zip(both["shipml"], both[peer], strict=True))
    return int(won), len(both)


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return lines + ["| " + " | ".join(r) + " |" for r in body]


def _details(csv: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    path = csv.with_suffix(".details.jsonl")
    out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            if d.get("details"):
                out[d["dataset"], d["system"]].append(d["details"])
    return out


def _counts(values: list[str]) -> str:
    return ", ".join(f"{k} ×{n}" for k, n in Counter(values).most_common()) or "—"


def _rungs(runs: list[dict[str, Any]]) -> str:
    """Per shipml rung: mean trials, mean tuning seconds and mean CV score over the seeds."""
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        for row in run.get("leaderboard", []):
            by[row["family"]].append(row)
    parts = []
    for family, rs in by.items():
        trials = sum(r["n_trials"] for r in rs) / len(rs)
        secs = sum(r["tuning_seconds"] for r in rs) / len(rs)
        cvs = [r["cv_mean"] for r in rs if r["cv_mean"] is not None]
        cv = fmt(sum(cvs) / len(cvs)) if cvs else "—"
        parts.append(f"{family} {trials:.0f}t/{secs:.0f}s/cv {cv}")
    return "; ".join(parts) or "—"


def render(csv: Path, root: Path) -> str:
    csv, root = csv.resolve(), root.resolve()
    rows = pd.read_csv(csv, keep_default_na=True)
    rows["error"] = rows["error"].fillna("")
    meta_path = csv.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    summary = summarize(rows)
    name = csv.relative_to(root) if csv.is_relative_to(root) else csv
    m = meta.get("machine", {})
    versions = meta.get("versions", {})
    v_ship, v_peer = versions.get("shipml venv", {}), versions.get("peers venv", {})
    lines = [
        f"Results of `{name}` ({meta.get('started', '?')} to {meta.get('finished', 'running')}).",
        "",
        f"- Machine: {m.get('cores', '?')} cores ({m.get('cpu', '?')}), "
        f"{m.get('memory_gib', '?')} GiB, CPU only, {m.get('os', '?')}; git `{m.get('git', '?')}`.",
        f"- Budget {rows['budget_s'].iloc[0]:g} s per fit, {meta.get('n_jobs', '?')} cores each, "
        f"seeds 0..{int(meta.get('seeds', 1)) - 1}, at most {meta.get('max_rows', '?')} "
        "training rows, 25% test split.",
        "- Versions, shipml's venv: " + ", ".join(f"{k} {v}" for k, v in v_ship.items()) + ".",
        "- Versions, the peers' venv: " + ", ".join(f"{k} {v}" for k, v in v_peer.items()) + ".",
        f"- Load: the machine's 1-minute load average when a run started was "
        f"{rows['loadavg_1m'].median():.1f} (median; max {rows['loadavg_1m'].max():.1f}), "
        f"against {m.get('cores', '?')} cores: above that, other work shared the cores.",
        f"- Command: `{meta.get('command', '?')}`",
        f"- Report: `.venv/bin/python benchmarks/quality.py --report {name} --write-readme`",
        "",
        "Score: the test metric, mean ± sd over seeds (roc_auc higher is better; log_loss and "
        "rmse lower). Fit: mean wall seconds of the whole fit. Latency: median ms of one "
        "1-row DataFrame through the system's own predict. Size: MB on disk.",
        "",
    ]
    body = []
    for _, s in summary.iterrows():
        acc = fmt(s["accuracy"]) if s["task"] == "multiclass" else "—"
        score = f"{fmt(s['mean'])} ± {fmt(s['sd'])}"
        body.append([s["dataset"], s["metric"], s["system"], score, acc, fmt(s["fit_s"]),
                     fmt(s["latency_ms"]), fmt(s["size_mb"]), s["runs"]])  # fmt: skip
    header = ["dataset", "metric", "system", "score", "accuracy", "fit s", "latency ms",
              "size MB", "runs ok"]  # fmt: skip
    lines += _table(header, body)

    tally = {p: Counter() for p in PEERS}  # type: ignore[var-annotated]
    per_dataset = []
    for dataset, g in summary.groupby("dataset", sort=False):
        by = {r["system"]: r for _, r in g.iterrows()}
        cells = [str(dataset)]
        for peer in PEERS:
            v = verdict(g["metric"].iloc[0], by["shipml"], by[peer]) if {
                "shipml", peer} <= by.keys() else None  # fmt: skip
            if v:
                tally[peer][v] += 1
                diff = by["shipml"]["mean"] - by[peer]["mean"]
                won, paired = seeds_won(rows, str(dataset), peer)
                cells.append(f"{v} ({diff:+.4g}; better on {won}/{paired} seeds)")
            else:
                cells.append("—")
        per_dataset.append(cells)
    lines += ["", "shipml against each peer: the verdict, the difference of means (shipml minus "
              "peer) and on how many seeds (the same split) shipml scored better:", ""]  # fmt: skip
    lines += _table(["dataset", *(f"vs {p}" for p in PEERS)], per_dataset)
    lines += ["", "| shipml vs | wins | ties | losses |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {p} | {tally[p]['win']} | {tally[p]['tie']} | {tally[p]['loss']} |"
              for p in PEERS]  # fmt: skip

    details = _details(csv)
    chose = []
    for dataset in summary["dataset"].unique():
        ship = details.get((dataset, "shipml"), [])
        flaml = details.get((dataset, "flaml"), [])
        ag = details.get((dataset, "autogluon"), [])
        chose.append([dataset, _counts([d["champion"] for d in ship]), _rungs(ship),
                      _counts([d["best_estimator"] for d in flaml]),
                      _counts([d["best_model"] for d in ag])])  # fmt: skip
    lines += ["", "What each system chose (shipml rungs: mean trials / tuning s / CV score):", ""]
    lines += _table(["dataset", "shipml champion", "shipml rungs", "flaml best",
                     "autogluon best"], chose)  # fmt: skip
    failed = rows[rows["status"] != "ok"]
    if len(failed):
        lines += ["", "Failed runs:", ""]
        for r in failed.to_dict("records"):
            error = str(r["error"])[:200]
            lines.append(f"- {r['dataset']} seed {r['seed']} {r['system']}: {r['status']}: {error}")
    return "\n".join(lines) + "\n"


def write_readme(readme: Path, report: str) -> None:
    """Replace the block between the markers (or append one) with the report."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = f"{START}\n<!-- generated by benchmarks/quality.py; do not edit -->\n{report}{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")
