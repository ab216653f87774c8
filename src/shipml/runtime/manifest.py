"""Runtime: the bundle's manifest as a typed, frozen record.

`manifest.json` says what a bundle is: the spec and data it came from, the task, the champion
family and its metrics, the decision policy's summary, the seed, the input schema, the library
versions, and (written last, by the registry) the bundle format's version and the SHA-256 of
every file. `ManifestBody` is what a writer fills (`pipeline/persist.py` at training,
`pipeline/decide.py` for a derived policy); `Manifest` is the body sealed by
`registry.bundle.write_manifest` with `bundle_version` and `files`. Both refuse unknown keys.

The record lives in the runtime, below the layers that read it (explain's report, the server,
the registry); only `registry/` reads and writes the file. On disk it is the record's JSON
dump with sorted keys and an indent of one, so a manifest read and written again is the same
text, and the same hash.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import BaseModel, ConfigDict, FiniteFloat, JsonValue, PlainValidator

from shipml.core.enums import TaskName
from shipml.runtime.inference import Label

BUNDLE_FORMAT = "shipml-bundle/1"


def _label(value: object) -> Label:
    """A class label as the inference form holds it: a string, a number or a boolean."""
    for kind in (bool, int, float, str):  # bool first: it is an int too
        if isinstance(value, kind):
            return kind(value)
    kind_name = type(value).__name__
    raise ValueError(f"a class label is a string, a number or a boolean, not {kind_name}")


ClassLabel = Annotated[Label, PlainValidator(_label)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ManifestMetrics(_Record):
    """The champion's cross-validated primary score and its metrics on the test rows (None where
    a metric could not be computed)."""

    cv: FiniteFloat | None
    test: dict[str, FiniteFloat | None]


class DerivedFrom(_Record):
    """Where a bundle written by `shipml decide` came from: the version and its bundle folder."""

    version: str
    bundle: str


class ManifestBody(_Record):
    """Everything a writer records about a bundle; the registry adds the seal (`Manifest`)."""

    format: str
    name: str
    created_at: str  # ISO 8601, UTC, to the second
    spec_hash: str
    spec_dir: str  # where the spec's relative data paths were read from
    data_fingerprint: str
    task: TaskName
    target: str
    classes: tuple[ClassLabel, ...]  # empty for a task without classes
    family: str  # the champion's model family
    primary_metric: str
    metrics: ManifestMetrics
    decision: dict[str, JsonValue]  # the decision policy's summary
    seed: int
    input_schema: dict[str, JsonValue]  # `InputSchema.to_dict()`
    libraries: dict[str, str]  # the versions of Python and of the libraries that trained it
    derived_from: DerivedFrom | None = None  # only in bundles written by `shipml decide`


class Manifest(ManifestBody):
    """A bundle's manifest as written: the body, the bundle format's version and the SHA-256 of
    every file of the bundle but the manifest and the report."""

    bundle_version: int
    files: dict[str, str]

    def body(self, **changes: object) -> ManifestBody:
        """The body of this manifest (without the seal), with `changes` applied and checked."""
        fields = {name: getattr(self, name) for name in ManifestBody.model_fields}
        return ManifestBody.model_validate(fields | changes)

    def to_json(self) -> str:
        """The text of `manifest.json`: sorted keys, an indent of one; a key without a value
        that only some bundles have (`derived_from`) is left out rather than written null."""
        unset = {"derived_from"} if self.derived_from is None else set()
        data = self.model_dump(mode="json", exclude=unset)
        return json.dumps(data, indent=1, sort_keys=True)
