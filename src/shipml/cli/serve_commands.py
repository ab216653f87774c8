"""CLI: `serve` (the prediction server on uvicorn) and `export` (ONNX with preprocessing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from shipml.cli.console import JsonOpt, emit_json, err, guarded

Engine = Literal["auto", "native", "onnx"]


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("export")(export)


@guarded
def serve(
    model: Annotated[
        str, typer.Argument(help="NAME[@alias|/version]; a bare NAME serves @champion.")
    ],
    host: Annotated[
        str, typer.Option(help="Interface to bind; keep 127.0.0.1 unless behind a proxy.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    api_key_file: Annotated[
        Path | None, typer.Option(help="API keys, one per line (also SHIPML_API_KEYS).")
    ] = None,
    log_dir: Annotated[
        Path | None, typer.Option(help="Prediction log folder [SHIPML_HOME/predictions/NAME].")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Reject categories never seen in training (422).")
    ] = False,
    engine: Annotated[
        str, typer.Option(help="auto (ONNX Runtime for LightGBM), native or onnx.")
    ] = "auto",
    poll_seconds: Annotated[
        float, typer.Option(min=0, help="Check the alias every N s for a new version (0: off).")
    ] = 30.0,
    max_body_kb: Annotated[int, typer.Option(min=1, help="Largest request body.")] = 2048,
) -> None:
    """Serve a registered model over HTTP (FastAPI on uvicorn with uvloop and httptools)."""
    import uvicorn

    from shipml.core.errors import ShipmlError
    from shipml.registry.home import shipml_home
    from shipml.serve import ServeConfig, ServeOptions, create_app
    from shipml.serve.security import load_api_keys, parse_model_ref

    if engine not in ("auto", "native", "onnx"):
        raise ShipmlError(f"unknown engine {engine!r}", where="--engine", fix="auto, native, onnx")
    ref = parse_model_ref(model)
    keys = load_api_keys(api_key_file)
    config = ServeConfig(
        ref=ref,
        log_dir=log_dir or shipml_home() / "predictions" / ref.name,
        options=ServeOptions(engine=engine, strict=True if strict else None),  # type: ignore[arg-type]
        api_keys=tuple(keys),
        max_body_bytes=max_body_kb * 1024,
        poll_seconds=poll_seconds,
    )
    try:
        app = create_app(config)
    except ValueError as exc:
        raise ShipmlError(str(exc), where="--engine") from None
    version = app.state.services.holder.current.champion.version
    auth = f"{len(keys)} API key(s)" if keys else "no API keys (open)"
    err.print(
        f"serving {ref} v{version} at http://{host}:{port} ({auth}); log: {config.log_dir}",
        soft_wrap=True,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=30,
    )


@guarded
def export(
    model: Annotated[str, typer.Argument(help="NAME[@alias|/version]; a bare NAME: @champion.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .onnx file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="onnx (the only format).")] = "onnx",
    as_json: JsonOpt = False,
) -> None:
    """Export a LightGBM or linear model with its preprocessing as one ONNX graph, verified
    against the native path."""
    from shipml.core.errors import ShipmlError
    from shipml.registry.models import load_registered
    from shipml.runtime.onnx_export import export_onnx
    from shipml.serve.security import parse_model_ref

    if fmt != "onnx":
        raise ShipmlError(f"unknown format {fmt!r}", where="--format", fix="use onnx")
    ref = parse_model_ref(model)
    bundle, version = load_registered(ref)
    report = export_onnx(bundle.model, out, name=ref.name, version=version)
    if as_json:
        emit_json({"model": ref.name, "version": version, "out": str(out)} | report)
        return
    err.print(
        f"exported {ref.name} v{version} to {out}: inputs {', '.join(report['inputs'])}; "
        f"max difference from the native path {report['max_abs_diff']:.2g} "
        f"on {report['rows_checked']} rows"
    )
