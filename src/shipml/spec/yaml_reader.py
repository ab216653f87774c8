"""Spec: the bounded YAML reader: size, UTF-8, nesting and aliases checked before values are built.

`read_spec_file` reads at most MAX_BYTES and decodes UTF-8 itself (a bad byte is named by line
and column); `read_yaml` runs the event pass of `yaml_shape`, then composes and builds plain
values with `yaml_build`. The values are those of `yaml.safe_load`, except that timestamps stay
strings and duplicate keys are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.reader import ReaderError

from shipml.core.errors import SpecError
from shipml.spec.echo import clip
from shipml.spec.yaml_build import build
from shipml.spec.yaml_shape import DEPTH_FIX, LOADER, MAX_DEPTH, check_shape

MAX_BYTES = 1_000_000
SYNTAX_FIX = "fix the YAML syntax at that place (indentation, a missing colon or quote)"


def read_spec_file(path: Path) -> str:
    """The text of a spec file, refused when over MAX_BYTES or not UTF-8."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _too_big(str(path))
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror}", fix="check the file") from None
    if len(data) > MAX_BYTES:
        raise _too_big(str(path))
    return decode_utf8(data, str(path))


def decode_utf8(data: bytes, origin: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(data, exc.start)
        raise SpecError(
            f"{origin} is not UTF-8 text: byte {data[exc.start]:#04x} at line {line}, "
            f"column {column} cannot be decoded",
            fix="save the file as UTF-8 (an editor's 'encoding' setting)",
        ) from None


def read_yaml(text: str, origin: str) -> Any:
    """Plain values from YAML text (None for an empty document), or a `SpecError`."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_big(origin)
    try:
        check_shape(text, origin)
        node = yaml.compose(text, Loader=LOADER)
    except (yaml.YAMLError, UnicodeError) as exc:
        raise _syntax_error(exc, text, origin) from None
    return None if node is None else build(node)


def _syntax_error(exc: Exception, text: str, origin: str) -> SpecError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        where = f"line {mark.line + 1}, column {mark.column + 1}"
    elif isinstance(exc, ReaderError | UnicodeError):
        where = "line {}, column {}".format(*_position(exc, text))
    else:
        where = "line 1"
    problem = str(getattr(exc, "problem", None) or str(exc).splitlines()[0])
    if "nesting depth" in problem:  # libyaml's own limit, met while it scans ahead
        problem, fix = f"the YAML nests deeper than {MAX_DEPTH} levels", DEPTH_FIX
    else:
        fix = SYNTAX_FIX
    return SpecError(f"{origin} is not valid YAML ({where}): {clip(problem)}", fix=fix)


def _position(exc: Exception, text: str) -> tuple[int, int]:
    """The line and column of a reader error: libyaml counts UTF-8 bytes, PyYAML characters."""
    offset = int(getattr(exc, "position", None) or getattr(exc, "start", 0) or 0)
    if LOADER is yaml.SafeLoader or isinstance(exc, UnicodeError):
        return _line_column(text, offset)
    return _line_column(text.encode("utf-8", "surrogatepass"), offset)


def _line_column(data: str | bytes, offset: int) -> tuple[int, int]:
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    start = data.rfind(newline, 0, offset) + 1
    prefix = data[start:offset]
    width = len(prefix.decode("utf-8", "replace")) if isinstance(prefix, bytes) else len(prefix)
    return data.count(newline, 0, offset) + 1, width + 1


def _too_big(origin: str) -> SpecError:
    return SpecError(
        f"{origin} is over {MAX_BYTES // 1_000_000} MB; a spec is a few kilobytes of settings",
        fix="check that the path names the spec, not a data file",
    )
