"""Provenance: which commits and lines an AI assistant was involved in, and the evidence for it.

* :func:`attribute` reads one commit's own metadata (identities, trailers, footers, policy markers); it is
  pure and fast, for every commit of long histories.
* :class:`Provenance` adds line-level records kept in the repository: git-ai authorship notes
  (``refs/notes/ai``) and Agent Trace records (``.agent-trace/traces.jsonl``).
"""

from __future__ import annotations

from vouched.provenance.lines import LineRecord
from vouched.provenance.markers import TOOL_IDS, Marker, attribute, normalise_model, tool_for_agent
from vouched.provenance.model import Attribution
from vouched.provenance.repository import NOTES_REF, TRACE_PATH, Provenance

__all__ = [
    "NOTES_REF",
    "TOOL_IDS",
    "TRACE_PATH",
    "Attribution",
    "LineRecord",
    "Marker",
    "Provenance",
    "attribute",
    "normalise_model",
    "tool_for_agent",
]
