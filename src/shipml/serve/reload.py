"""Serve: hot reload. The holder keeps one frozen snapshot; a reload builds the next one on a
worker thread (registry lookups, download, hash check, compile) and swaps it in with a single
assignment. A request reads the snapshot once when it starts and finishes on it, so none is
dropped or sees half a model. Reloads come from `POST /admin/reload` or from polling the alias
every `poll_seconds`; a reload that fails keeps the current model and says why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shipml.core.errors import ShipmlError
from shipml.registry.models import ModelRef
from shipml.serve.loading import ServeOptions, Snapshot, load_snapshot

log = logging.getLogger("shipml.serve")


@dataclass(frozen=True, slots=True)
class ReloadResult:
    changed: bool
    version: str
    previous: str
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "version": self.version,
            "previous": self.previous,
            "error": self.error,
        }


class ModelHolder:
    def __init__(
        self,
        ref: ModelRef,
        options: ServeOptions,
        snapshot: Snapshot,
        on_change: Callable[[Snapshot], None] | None = None,
    ) -> None:
        self.ref, self.options = ref, options
        self.current = snapshot
        self.on_change = on_change
        self._lock: asyncio.Lock | None = None

    async def reload(self) -> ReloadResult:
        """Load what the reference points at now; swap it in if anything changed."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            before = self.current
            try:
                after = await asyncio.to_thread(load_snapshot, self.ref, self.options, before)
            except ShipmlError as exc:
                return ReloadResult(
                    False, before.champion.version, before.champion.version, str(exc)
                )
            changed = _fingerprint(after) != _fingerprint(before)
            if changed:
                self.current = after
                log.warning(
                    "now serving %s v%s (was v%s)",
                    self.ref.name,
                    after.champion.version,
                    before.champion.version,
                )
                if self.on_change is not None:
                    self.on_change(after)
            return ReloadResult(changed, after.champion.version, before.champion.version)

    async def poll(self, seconds: float) -> None:
        """Reload every `seconds` until cancelled; errors are logged, the model kept."""
        while True:
            await asyncio.sleep(seconds)
            try:
                result = await self.reload()
            except Exception:  # polling must outlive a registry hiccup
                log.exception("polling %s failed", self.ref)
                continue
            if result.error:
                log.warning("reload of %s failed: %s", self.ref, result.error)


def _fingerprint(s: Snapshot) -> tuple[Any, ...]:
    t = s.traffic
    return (
        s.champion.version,
        None if t.canary is None else (t.canary.alias, t.canary.version, t.canary_percent),
        None if t.shadow is None else (t.shadow.alias, t.shadow.version),
        s.strict,
    )
