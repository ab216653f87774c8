"""Scaffold: the heuristics `shipml init` writes a commented starting spec with."""

from shipml.scaffold.spec_writer import ScaffoldResult, scaffold_spec

__all__ = ["ScaffoldResult", "scaffold_spec"]
