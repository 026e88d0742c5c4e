"""The policy: risk tiers, who may change what, and the roster of people with their clearance levels.

``.vouched/policy.toml`` and ``.vouched/people.toml`` are always read from the BASE revision of a change
(:func:`load`), so a change cannot lower its own bar or enrol its own author. Parsing is strict: unknown
keys, wrong types, unknown level or stage names, bad globs and bad regexes are
:class:`~vouched.errors.ConfigError` naming the file, the line and the key, with a hint; every independent
mistake is reported at once (:class:`~vouched.errors.ConfigErrors`). The file formats
are documented in :mod:`vouched.policy.parse`.
"""

from __future__ import annotations

from vouched.policy.model import SCANNERS, SEVERITIES, STAGES, People, Person, Policy, ScanSettings, Tier, TierMatch
from vouched.policy.parse import (
    PEOPLE_FILE,
    POLICY_FILE,
    SUPPORTED_VERSION,
    load,
    load_sources,
    markers_at,
    parse_people,
    parse_policy,
)
from vouched.policy.starter import Explanation, Starter, starter

__all__ = [
    "PEOPLE_FILE",
    "POLICY_FILE",
    "SCANNERS",
    "SEVERITIES",
    "STAGES",
    "SUPPORTED_VERSION",
    "Explanation",
    "People",
    "Person",
    "Policy",
    "ScanSettings",
    "Starter",
    "Tier",
    "TierMatch",
    "load",
    "load_sources",
    "markers_at",
    "parse_people",
    "parse_policy",
    "starter",
]
