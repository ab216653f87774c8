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
        bool,
        typer.Option(
            "--strict", help="Reject unseen categories and NaN or Infinity numbers (422)."
        ),
    ] = False,
    engine: Annotated[
        str, typer.Option(help="auto (ONNX Runtime for LightGBM), native or onnx.")
    ] = "auto",
    poll_seconds: Annotated[
        float, typer.Option(min=0, help="Check the alias every N s for a new version (0: off).")
    ] = 30.0,
    max_body_kb: Annotated[
        int | None,
        typer.Option(min=1, help="Largest request body [a full batch of the model's schema]."),
    ] = None,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="Serve without API keys (loopback hosts only).")
    ] = False,
    allow_open: Annotated[
        bool, typer.Option("--allow-open", help="With --no-auth: also on a non-loopback host.")
    ] = False,
    read_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a client has to send a whole request.")
    ] = 10.0,
) -> None:
    """Serve a registered model over HTTP (FastAPI on uvicorn with uvloop and httptools).
    It needs API keys (--api-key-file or SHIPML_API_KEYS) unless --no-auth is given."""
    import uvicorn

    from shipml.core.errors import ShipmlError
    from shipml.registry.home import shipml_home
    from shipml.serve import ServeConfig, ServeOptions, create_app
    from shipml.serve.protocol import with_read_timeout
    from shipml.serve.security import is_loopback, load_api_keys, parse_model_ref

    if engine not in ("auto", "native", "onnx"):
        raise ShipmlError(f"unknown engine {engine!r}", where="--engine", fix="auto, native, onnx")
    ref = parse_model_ref(model)
    keys = load_api_keys(api_key_file)
    _check_open(no_auth, allow_open, host, bool(keys), is_loopback(host))
    config = ServeConfig(
        ref=ref,
        log_dir=log_dir or shipml_home() / "predictions" / ref.name,
        options=ServeOptions(engine=engine, strict=True if strict else None),  # type: ignore[arg-type]
        api_keys=tuple(keys),
        no_auth=no_auth,
        max_body_bytes=None if max_body_kb is None else max_body_kb * 1024,
        poll_seconds=poll_seconds,
    )
    try:
        app = create_app(config)
    except ValueError as exc:
        raise ShipmlError(str(exc), where="--engine") from None
    current = app.state.services.holder.current
    auth = f"{len(keys)} API key(s)" if keys else "NO AUTHENTICATION (--no-auth)"
    limit = config.max_body_bytes or current.api.batch_bytes
    err.print(
        f"serving {ref} v{current.champion.version} at http://{host}:{port} ({auth}; "
        f"bodies up to {limit // 1024} kB); log: {config.log_dir}",
        soft_wrap=True,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http=with_read_timeout(read_timeout),
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=30,
    )


def _check_open(no_auth: bool, allow_open: bool, host: str, keys: bool, loopback: bool) -> None:
    """Refused before anything binds: keys and --no-auth together, or an open server that
    other machines can reach without --allow-open."""
    from shipml.core.errors import ShipmlError

    if no_auth and keys:
        raise ShipmlError(
            "--no-auth was given while API keys are configured",
            where="--no-auth",
            fix="drop --no-auth to use the keys, or unset SHIPML_API_KEYS and --api-key-file",
        )
    if not no_auth and not keys:
        raise ShipmlError(
            "no API key is configured, and shipml does not serve without authentication by default",
            where="--api-key-file",
            fix="pass --api-key-file FILE or set SHIPML_API_KEYS; or --no-auth (loopback only)",
        )
    if no_auth and not loopback and not allow_open:
        raise ShipmlError(
            f"--no-auth on {host} would let any machine that reaches it call the model",
            where="--host",
            fix="bind 127.0.0.1, configure API keys, or add --allow-open if that is intended",
        )
    if allow_open and not no_auth:
        raise ShipmlError("--allow-open only applies with --no-auth", where="--allow-open")


@guarded
def export(
    model: Annotated[str, typer.Argument(help="NAME[@alias|/version]; a bare NAME: @champion.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .onnx file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="onnx (the only format).")] = "onnx",
    as_json: JsonOpt = False,
) -> None:
    """Export a LightGBM or linear model with its preprocessing, calibration and decision rule
    as one ONNX graph (outputs label, probabilities and score, or variable), checked against
    the native path: probabilities within 1e-4 and every decision equal, or refused."""
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
        f"outputs {', '.join(report['outputs'])}; against the native path: {report['checked']} "
        "(generated over the fitted ranges, with unseen categories and missing values)",
        soft_wrap=True,
    )
