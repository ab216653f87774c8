"""A bundle's model files, checked before a native library or skops builds an object from them.

The bundle's hashes prove a file is the one the manifest names, not that the file is sound: a
corruption that also rewrote the manifest, or an attacker who can write both, gets past them.
So each loader here refuses a file that is not what its metadata says, with a `ModelFileError`
(an `ArtifactError` that is also a `ValueError`, so every caller's existing handling holds).

skops files. skops trusts every scikit-learn estimator by default, and `trusted=` only adds to
that, so its own audit cannot tell a forest from a pipeline. Here the metadata names the
estimator's class (`estimator_class`, written by `SkopsEstimator.save`); a class outside the
task's list (forest and tree classifiers for classification, regressors for regression) is
refused; every type named anywhere in the file's schema must be that class, its tree class,
`sklearn.tree._tree.Tree` or a plain data type (builtins, numpy arrays, scalars, dtypes), and
every node must use one of the plain loaders (no functions, methods, partials, reducers);
skops' `get_untrusted_types` must name nothing else either; after the load the object's type
must be exactly the expected class and each of a forest's trees exactly its tree class. Old
metadata without the class name: the file's top-level class must be on the task's list.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from shipml.core.enums import TaskName
from shipml.core.errors import ArtifactError
from shipml.tasks import task_kind

FIX = "the file is corrupted or was replaced; restore the bundle from its source or retrain"

# estimator class -> the class of the trees in its `estimators_` (None: it is a tree itself)
_FOREST, _TREE = "sklearn.ensemble._forest.", "sklearn.tree._classes."
SKOPS_CLASSIFIERS: dict[str, str | None] = {
    _FOREST + "RandomForestClassifier": _TREE + "DecisionTreeClassifier",
    _FOREST + "ExtraTreesClassifier": _TREE + "ExtraTreeClassifier",
    _TREE + "DecisionTreeClassifier": None,
    _TREE + "ExtraTreeClassifier": None,
}
SKOPS_REGRESSORS: dict[str, str | None] = {
    _FOREST + "RandomForestRegressor": _TREE + "DecisionTreeRegressor",
    _FOREST + "ExtraTreesRegressor": _TREE + "ExtraTreeRegressor",
    _TREE + "DecisionTreeRegressor": None,
    _TREE + "ExtraTreeRegressor": None,
}
TREE_STATE = "sklearn.tree._tree.Tree"
# the plain data a fitted tree model is made of; skops loads these without running any code
DATA_TYPES = frozenset(
    {
        "builtins.NoneType",
        "builtins.bool",
        "builtins.dict",
        "builtins.float",
        "builtins.int",
        "builtins.list",
        "builtins.str",
        "builtins.tuple",
        "numpy.bool",
        "numpy.bool_",
        "numpy.dtype",
        "numpy.float32",
        "numpy.float64",
        "numpy.int32",
        "numpy.int64",
        "numpy.ndarray",
        "numpy.uint8",
    }
)
# skops node loaders that build plain objects or data; FunctionNode, MethodNode, PartialNode,
# ConstructorFromReduceNode, OperatorFuncNode and the like are never part of a tree model
PLAIN_LOADERS = frozenset(
    {
        "CachedNode",
        "DTypeNode",
        "DictNode",
        "JsonNode",
        "ListNode",
        "NdArrayNode",
        "ObjectNode",
        "TreeNode",
        "TupleNode",
        "TypeNode",
    }
)


class ModelFileError(ArtifactError, ValueError):
    """A model file is malformed or is not the model its metadata describes."""


def class_name(obj: object) -> str:
    """The fully qualified name of `obj`'s class, as skops writes it."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def skops_classes(task: TaskName) -> dict[str, str | None]:
    """The estimator classes a skops file may hold for `task`, each with its tree class."""
    return SKOPS_CLASSIFIERS if task_kind(task).has_classes else SKOPS_REGRESSORS


def skops_trusted(estimator_class: str, task: TaskName) -> list[str]:
    """The exact types a skops file of `estimator_class` may contain."""
    classes = skops_classes(task)
    if estimator_class not in classes:
        raise ModelFileError(
            f"the estimator class {estimator_class} is not a {task} model shipml stores with"
            f" skops (expected one of {', '.join(sorted(classes))})",
            fix=FIX,
        )
    tree = classes[estimator_class]
    return sorted(DATA_TYPES | {estimator_class, TREE_STATE} | ({tree} if tree else set()))


def load_skops(path: Path, task: TaskName, estimator_class: str | None) -> Any:
    """Load a skops file that must hold `estimator_class` (None: any of the task's classes)."""
    import skops.io as sio

    where = path.name
    if estimator_class is not None and not isinstance(estimator_class, str):
        raise ModelFileError(f"estimator_class is {estimator_class!r}, not a class name", fix=FIX)
    schema = _read_schema(path)
    top = f"{schema.get('__module__')}.{schema.get('__class__')}"
    if estimator_class is None:
        estimator_class = top
    trusted = skops_trusted(estimator_class, task)
    if top != estimator_class:
        raise ModelFileError(
            f"the file holds a {top}, but the metadata says {estimator_class}",
            where=where,
            fix=FIX,
        )
    types, loaders = _schema_types(schema)
    _refuse_extra(types - set(trusted), estimator_class, where)
    bad_loaders = loaders - PLAIN_LOADERS
    if bad_loaders:
        raise ModelFileError(
            "the file uses skops loaders a tree model never needs:"
            f" {', '.join(sorted(bad_loaders))}",
            where=where,
            fix=FIX,
        )
    try:
        _refuse_extra(
            set(sio.get_untrusted_types(file=path)) - set(trusted), estimator_class, where
        )
        model = sio.load(path, trusted=trusted)
    except ModelFileError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"skops cannot load the file: {exc}", where=where, fix=FIX) from exc
    if class_name(model) != estimator_class:
        raise ModelFileError(
            f"the file loaded as a {class_name(model)}, not a {estimator_class}",
            where=where,
            fix=FIX,
        )
    tree = skops_classes(task)[estimator_class]
    if tree is not None:
        found = {class_name(e) for e in getattr(model, "estimators_", [])} - {tree}
        if found or not getattr(model, "estimators_", None):
            raise ModelFileError(
                f"the {estimator_class} holds {', '.join(sorted(found)) or 'no trees'}"
                f" instead of {tree} trees",
                where=where,
                fix=FIX,
            )
    return model


def _read_schema(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, RecursionError) as exc:
        raise ModelFileError(
            f"not a readable skops file ({type(exc).__name__}: {exc})", where=path.name, fix=FIX
        ) from None
    if not isinstance(schema, dict):
        raise ModelFileError("the skops schema is not an object", where=path.name, fix=FIX)
    return schema


def _schema_types(schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Every type and every node loader named anywhere in a skops schema (a superset of
    what skops visits: it builds objects only from nodes, and every node is a dict here)."""
    types: set[str] = set()
    loaders: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "__class__" in item or "__module__" in item:
                types.add(f"{item.get('__module__')}.{item.get('__class__')}")
            if "__loader__" in item:
                loaders.add(str(item["__loader__"]))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return types, loaders


def _refuse_extra(extra: set[str], estimator_class: str, where: str) -> None:
    if extra:
        raise ModelFileError(
            f"a {estimator_class} file may not contain {', '.join(sorted(extra))}",
            where=where,
            fix=FIX,
        )
