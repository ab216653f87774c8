"""Registry: the only code that writes or reads model artifacts; MLflow tracking and registry."""

from shipml.registry.bundle import LoadedBundle, load_bundle, write_manifest
from shipml.registry.history import AliasMove
from shipml.registry.home import shipml_home, tracking_uri
from shipml.registry.manifest import Manifest, ManifestBody
from shipml.registry.models import (
    ModelRef,
    PromotionRefusedError,
    history,
    load_registered,
    promote,
    rollback,
)
from shipml.registry.register import Registered, register_bundle

__all__ = [
    "AliasMove",
    "LoadedBundle",
    "Manifest",
    "ManifestBody",
    "ModelRef",
    "PromotionRefusedError",
    "Registered",
    "history",
    "load_bundle",
    "load_registered",
    "promote",
    "register_bundle",
    "rollback",
    "shipml_home",
    "tracking_uri",
    "write_manifest",
]
