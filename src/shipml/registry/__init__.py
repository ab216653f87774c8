"""Registry: the only code that writes or reads model artifacts; MLflow tracking and registry."""

from shipml.registry.bundle import LoadedBundle, load_bundle, write_manifest
from shipml.registry.home import shipml_home, tracking_uri
from shipml.registry.models import ModelRef, Registered, load_registered, promote, register_bundle

__all__ = [
    "LoadedBundle",
    "ModelRef",
    "Registered",
    "load_bundle",
    "load_registered",
    "promote",
    "register_bundle",
    "shipml_home",
    "tracking_uri",
    "write_manifest",
]
