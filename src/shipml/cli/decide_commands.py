"""CLI: `decide`, a new decision policy for a trained model from its stored out-of-fold scores
(seconds, no retraining), registered as a new version; and the lines that describe a policy."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from shipml.cli.console import emit_json, err, guarded, out

Opt = typer.Option


def register(app: typer.Typer) -> None:
    app.command("decide")(decide)


@guarded
def decide(
    model: Annotated[
        str, typer.Argument(help="NAME[@alias|/version], a spec file, or a bundle folder.")
    ],
    recall_target: Annotated[
        float | None, Opt("--recall-target", help="Least recall; the best precision.")
    ] = None,
    precision_target: Annotated[
        float | None, Opt("--precision-target", help="Least precision; the best recall.")
    ] = None,
    costs: Annotated[
        str | None,
        Opt("--costs", help="fp=1,fn=20[,tp=-5,tn=0]; multiclass: a YAML matrix {A: {B: 4}}."),
    ] = None,
    fbeta: Annotated[float | None, Opt("--fbeta", help="Maximize F-beta with this beta.")] = None,
    metric: Annotated[
        str | None,
        Opt("--metric", help="Maximize f1, accuracy, balanced_accuracy or macro_f1."),
    ] = None,
    fixed: Annotated[float | None, Opt("--fixed", help="A fixed probability threshold.")] = None,
    calibration: Annotated[
        str, Opt("--calibration", help="auto, isotonic, sigmoid or none.")
    ] = "auto",
    assurance: Annotated[
        str, Opt("--assurance", help="point, or lower_bound: the interval's lower bound.")
    ] = "point",
    recall_floors: Annotated[
        str | None, Opt("--recall-floors", help="Multiclass: CLASS=0.8,OTHER=0.5.")
    ] = None,
    coverage: Annotated[
        float | None, Opt("--coverage", help="Regression interval coverage.")
    ] = None,
    labels: Annotated[
        str | None,
        Opt("--labels", help="Multilabel: per_label, top_k (with --k) or cardinality."),
    ] = None,
    k: Annotated[int | None, Opt("--k", help="Multilabel top_k: how many labels.")] = None,
    stop_below: Annotated[
        float | None,
        Opt("--stop-below", help="Hierarchical: stop at the parent below this child share."),
    ] = None,
    no_register: Annotated[
        bool, Opt("--no-register", help="Write the bundle without registering it.")
    ] = False,
    as_json: Annotated[bool, Opt("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Derive a new decision policy (calibration, threshold) without retraining."""
    from shipml.pipeline.decide import decide as run_decide
    from shipml.pipeline.decide import decision_from_options

    raw: dict[str, Any] = {"calibration": calibration, "assurance": assurance}
    raw |= {"recall_target": recall_target, "precision_target": precision_target, "fixed": fixed}
    if costs is not None:
        raw["costs"] = _costs(costs)
    if fbeta is not None:
        raw |= {"metric": "f_beta", "beta": fbeta}
    if metric is not None:
        raw["metric"] = metric
    if recall_floors is not None:
        raw["class_recall_floors"] = _pairs(recall_floors, "--recall-floors")
    if coverage is not None:
        raw["coverage"] = coverage
    raw |= {"labels": labels, "k": k}
    decision = decision_from_options({k: v for k, v in raw.items() if v is not None})
    result = run_decide(model, decision, register=not no_register, stop_below=stop_below)
    summary = result.summary()
    if as_json:
        emit_json(summary)
        return
    err.print(f"old policy: {summary['old_policy'].get('source', 'default')}", markup=False)
    for line in decision_lines(summary["new_policy"], summary["test_decision"]):
        err.print(line, markup=False)
    tests = ", ".join(f"{k} {v:.4f}" for k, v in summary["test"].items() if v is not None)
    err.print(f"test (calibrated, at the new decision): {tests}", markup=False)
    for w in result.outcome.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    reg = result.registered
    if reg is not None:
        err.print(
            f"registered {reg.name} version {reg.version} as @{reg.alias}: {reg.alias_reason}"
        )
    err.print(f"in {result.seconds:.1f}s, from version {result.source_version}")
    out.print(str(result.bundle_dir), markup=False)


def decision_lines(policy: dict[str, Any], test: dict[str, Any]) -> list[str]:
    """A policy and what it yields, in a few lines (train and decide print them), worded by the
    policy kind of the summary's task; an unfit policy (no `task`) says nothing."""
    from shipml.tasks import PolicyKind, registered

    lines = {
        PolicyKind.VALUE: _value_lines,
        PolicyKind.ARGMAX: _argmax_lines,
        PolicyKind.THRESHOLD: _threshold_lines,
        PolicyKind.LABELS: _label_lines,
        PolicyKind.PATH: _path_lines,
    }
    kind = next((k for k in registered() if k.name == policy.get("task")), None)
    return [] if kind is None else lines[kind.policy](policy, test)


def _value_lines(policy: dict[str, Any], test: dict[str, Any]) -> list[str]:
    low, high = policy["interval"]
    reached = test.get("coverage")
    tail = f"; test coverage {reached:.3f}" if reached is not None else ""
    return [
        f"decision: {policy['source']}: prediction {low:+.4g} to {high:+.4g}; "
        f"out-of-fold coverage {policy['oof']['coverage']:.3f}{tail}",
        f"  note: {policy['note']}",
    ]


def _label_lines(policy: dict[str, Any], test: dict[str, Any]) -> list[str]:
    lines = [f"decision: {policy['source']} ({policy['calibration']} calibration)"]
    if test.get("mean_labels"):
        mean = test["mean_labels"]
        lines.append(
            f"  test rows: {mean['decided']:.2f} labels per row decided, {mean['true']:.2f} true; "
            f"exact label sets {test['exact_sets']:.1%}"
        )
    return lines


def _path_lines(policy: dict[str, Any], test: dict[str, Any]) -> list[str]:
    lines = [f"decision: {policy['source']} ({policy['calibration']} calibration)"]
    if test.get("levels"):
        levels = ", ".join(f"level {v['level']} {v['accuracy']:.1%}" for v in test["levels"])
        lines.append(
            f"  test rows: hierarchical F1 {test['hierarchical_f1']:.4f}; accuracy by level: "
            f"{levels}; {test['stopped_early']:.1%} stopped above their class"
        )
    return lines


def _argmax_lines(policy: dict[str, Any], test: dict[str, Any]) -> list[str]:
    line = f"decision: {policy['source']} ({policy['calibration']} calibration)"
    if test.get("accuracy") is not None:
        line += f"; test accuracy {test['accuracy']:.4f}"
    if test.get("cost_total") is not None:
        line += f", cost {test['cost_total']:.4g} ({test['cost_saved']:.4g} saved against argmax)"
    return [line]


def _threshold_lines(policy: dict[str, Any], test: dict[str, Any]) -> list[str]:
    oof, ci = policy["oof"], policy["oof_intervals"]
    cost = ("cost_per_row", "cost/row" if policy.get("costs_given") else "error rate")
    lo, hi = policy["threshold_interval"]
    span = f" (bootstrap {lo:.4f} to {hi:.4f})" if lo is not None and hi is not None else ""
    lines = [
        f"decision: threshold {policy['threshold']:.4f}{span} on {policy['calibration']}-"
        f"calibrated probabilities: {policy['source']}",
        "  out-of-fold: "
        + ", ".join(
            f"{label} {oof[name]:.3f}{_interval(ci.get(name))}"
            for name, label in (("precision", "precision"), ("recall", "recall"), cost)
        ),
    ]
    if test:
        parts = [
            f"{k} {test[k]:.3f}" for k in ("precision", "recall", "f1") if test.get(k) is not None
        ]
        if test.get("cost_total") is not None:
            parts.append(
                f"cost {test['cost_total']:.4g} ({test['cost_saved']:.4g} saved against 0.5)"
            )
        lines.append("  test: " + ", ".join(parts))
    return lines


def _interval(bounds: list[float | None] | None) -> str:
    if not bounds or bounds[0] is None or bounds[1] is None:
        return ""
    return f" [{bounds[0]:.3f}, {bounds[1]:.3f}]"


def _costs(text: str) -> object:
    """fp=1,fn=20, or YAML read with every scalar a string (so yes/no stay class labels)."""
    if not text.lstrip().startswith(("{", "[")):
        return _pairs(text, "--costs")
    import yaml

    from shipml.core.errors import SpecError

    try:
        return _numbers(yaml.load(text, Loader=yaml.BaseLoader))
    except yaml.YAMLError:
        raise SpecError(
            f"--costs: {text!r} is not a YAML mapping or list",
            fix="write fp=1,fn=20 or a matrix such as '{A: {B: 4}, B: {A: 2}}'",
        ) from None


def _numbers(value: object) -> object:
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    try:
        return float(str(value))
    except ValueError:
        return value


def _pairs(text: str, option: str) -> dict[str, float]:
    from shipml.core.errors import SpecError

    pairs: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            pairs[key.strip()] = float(value)
        except ValueError:
            example = "fp=1,fn=20" if option == "--costs" else "CLASS=0.8,OTHER=0.5"
            raise SpecError(
                f"{option}: {item!r} is not KEY=NUMBER", fix=f"write {option} {example}"
            ) from None
    return pairs
