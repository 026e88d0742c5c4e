"""What provenance says about a commit: values only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Attribution"]


@dataclass(frozen=True, slots=True)
class Attribution:
    """Whether an AI assistant was involved in a commit, which, and the exact evidence.

    ``assisted``: a marker or declaration of AI assistance was found. ``declared``: the commit carries any
    marker or declaration at all (``Assisted-by: none`` gives assisted False, declared True).
    """

    assisted: bool = False
    declared: bool = False
    tools: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "assisted": self.assisted,
            "declared": self.declared,
            "tools": list(self.tools),
            "models": list(self.models),
            "evidence": list(self.evidence),
        }
