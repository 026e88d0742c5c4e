"""Audit dependencies: for each one a change brings in, every problem vouched can find, with its evidence.

One :class:`Auditor` holds what an audit reads (the advisory database, the registries, the ``[deps]``
policy) and judges one :class:`~vouched.deps.manifests.Dependency` at a time:

1. **Which versions.** A pinned dependency is judged at its version. A range is judged by every published
   version it admits (:mod:`vouched.deps.ranges`): the versions the registry lists when it could be asked
   (online, or from the cache), else the versions the advisory database names (and the audit says so:
   a version no advisory names cannot be judged that way), else unknown.
2. **Advisories.** Each admitted version is looked up in the local database; each advisory that affects
   one is an issue carrying its id, aliases, affected range, the versions it hits and the first fixed
   version. An advisory vouched cannot evaluate for a version is an ``unknown`` issue, never a pass.
3. **The registry** (via :func:`vouched.deps.signals.assess`): existence, yanked, deprecated, inactive,
   unmaintained, new-and-tiny, typosquat. What the registry does not say is ``unknown``.
4. **Licence** against the policy's allow and deny lists (SPDX ids, expressions with AND/OR/WITH).

Nothing is installed, built or executed: manifests are read as text, registries as JSON.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vouched.deps.advisories import AdvisoryDB, AdvisoryMatch, Status
from vouched.deps.manifests import Dependency
from vouched.deps.ranges import RangeError, admitted_versions
from vouched.policy.model import DepsPolicy

if TYPE_CHECKING:
    from vouched.deps.registry import PackageInfo, Registry

__all__ = ["Auditor", "DependencyAudit", "Issue", "licence_problem"]

logger = logging.getLogger(__name__)

_SHOWN_VERSIONS = 8


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one dependency: the policy's signal name, a sentence, and the evidence."""

    signal: str  # one of vouched.policy.model.DEPS_SIGNALS
    message: str
    evidence: tuple[str, ...] = ()
    advisory: AdvisoryMatch | None = None
    versions: tuple[str, ...] = ()  # the versions (of those judged) the issue concerns

    @property
    def ids(self) -> tuple[str, ...]:
        """The advisory id and its aliases, for matching an exception."""
        return () if self.advisory is None else (self.advisory.id, *self.advisory.aliases)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"signal": self.signal, "message": self.message, "evidence": list(self.evidence)}
        if self.versions:
            out["versions"] = list(self.versions)
        if self.advisory is not None:
            a = self.advisory
            out["advisory"] = {
                "id": a.id,
                "aliases": list(a.aliases),
                "summary": a.summary,
                "affected_range": a.affected_range,
                "first_fixed": a.first_fixed,
                "cvss": a.cvss,
                "status": a.status.value,
            }
        return out


@dataclass(frozen=True, slots=True)
class DependencyAudit:
    """What the audit found about one dependency entry."""

    dependency: Dependency
    change: str  # added, upgraded, downgraded, changed (a diff), or present (a file audited whole)
    before: Dependency | None
    versions: tuple[str, ...]  # the versions judged
    versions_from: str  # pinned, registry, advisory database, none
    issues: tuple[Issue, ...]
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        dep = self.dependency
        return {
            "ecosystem": dep.ecosystem,
            "name": dep.name,
            "spec": dep.spec,
            "version": dep.version,
            "file": dep.file,
            "line": dep.line,
            "direct": dep.direct,
            "scope": dep.scope,
            "change": self.change,
            "before": None if self.before is None else self.before.describe(),
            "versions_judged": list(self.versions),
            "versions_from": self.versions_from,
            "notes": list(self.notes),
            "issues": [i.to_json() for i in self.issues],
        }


def _show_versions(versions: Sequence[str]) -> str:
    if len(versions) <= _SHOWN_VERSIONS:
        return ", ".join(versions)
    return ", ".join(versions[:_SHOWN_VERSIONS]) + f" and {len(versions) - _SHOWN_VERSIONS} more"


# A registry answer turned into issues: the registry signals, behind one callable so the auditor does not care how.
SignalFn = Callable[["PackageInfo", Dependency, Sequence[str]], Iterable[Issue]]


@dataclass
class Auditor:
    """Judges dependencies against one advisory database, the registries and the ``[deps]`` policy.

    ``db`` None means no usable database: the caller reports that once (``deps.db-missing``), and no
    advisory issue is raised per dependency. ``registries`` maps an ecosystem to its registry; an
    ecosystem without one gets no registry signals, and ``registry_problem`` says why (offline...).
    """

    db: AdvisoryDB | None
    policy: DepsPolicy = field(default_factory=DepsPolicy)
    registries: Mapping[str, Registry] = field(default_factory=dict)
    signals: SignalFn | None = None
    registry_problem: str | None = None  # why registries is empty (e.g. "--offline without a cached answer")
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    _infos: dict[tuple[str, str], PackageInfo] = field(default_factory=dict, init=False, repr=False)

    def prefetch(self, deps: Iterable[Dependency]) -> None:
        """Ask the registries about every package at once (a few at a time, in threads), before auditing."""
        wanted = [(d.ecosystem, d.name) for d in deps if d.source == "registry" and d.ecosystem in self.registries]
        if not wanted:
            return
        from vouched.deps.registry import lookup_many

        self._infos.update(lookup_many(self.registries, wanted))  # type: ignore[arg-type]

    def audit(self, dep: Dependency, change: str = "present", before: Dependency | None = None) -> DependencyAudit:
        issues: list[Issue] = []
        notes: list[str] = []
        where = f"{dep.file}:{dep.line}" if dep.line else dep.file
        if dep.unknown:
            issues.append(
                Issue(
                    "unknown",
                    f"{where}: vouched could not read this entry with confidence",
                    ("see the file's problems",),
                )
            )
        if dep.source == "path":
            notes.append(
                "a local path: its code is in the repository and reviewed with it; no registry or advisory applies"
            )
            return DependencyAudit(dep, change, before, (), "none", tuple(issues), tuple(notes))
        if dep.source in ("url", "vcs"):
            issues.append(
                Issue(
                    "unknown",
                    f"{dep.describe()} is installed from {'a VCS checkout' if dep.source == 'vcs' else 'a URL'} "
                    f"({dep.url or dep.spec}): no advisory database or registry can vouch for it",
                    ("review the source it points at, or depend on a registry release",),
                )
            )
            return DependencyAudit(dep, change, before, (), "none", tuple(issues), tuple(notes))
        info = self._lookup(dep)
        if dep.index is not None and self.registries and not self._asked(dep.index):
            # The package is installed from an index vouched does not ask: the public registry's answer is
            # about another package of the same name. Judge advisories by the pin alone, and say why.
            evidence = [f"index: {dep.index}"]
            if info is not None and info.exists:
                evidence.append(
                    f"a package named {dep.name} also exists on {info.registry}: if the installer ever looks "
                    "there, it may install that one instead (dependency confusion)"
                )
            issues.append(
                Issue(
                    "unknown",
                    f"{dep.name} comes from an index vouched does not ask ({dep.index}): whether it exists there, "
                    "is yanked or deprecated is unknown",
                    tuple(evidence),
                )
            )
            info = None
            versions = [dep.version] if dep.version is not None else []
            if self.db is not None and versions:
                issues += self._advisories(dep, versions, "pinned")
            return DependencyAudit(
                dep, change, before, tuple(versions), "pinned" if versions else "none", tuple(issues)
            )
        versions, origin, version_issues, version_notes = self._versions(dep, info)
        issues += version_issues
        notes += version_notes
        if self.db is not None and versions:
            issues += self._advisories(dep, versions, origin)
        if info is not None and self.signals is not None:
            try:
                issues += self.signals(info, dep, versions)
            except Exception as exc:  # a bug in a signal must not pass the dependency: fail closed
                logger.debug("signals failed for %s", dep.name, exc_info=True)
                issues.append(Issue("unknown", f"the registry signals for {dep.name} failed: {exc}"))
        elif info is None:
            why = self.registry_problem or f"no registry for {dep.ecosystem}"
            issues.append(
                Issue(
                    "unknown",
                    f"{dep.name}: whether it exists, is yanked, deprecated or a look-alike is unknown ({why})",
                )
            )
        if info is not None and info.exists:
            problem = licence_problem(_licence_of(info, versions), self.policy)
            if problem is not None:
                issues.append(Issue("licence", f"{dep.name}: {problem}", (f"licence source: {info.licence_source}",)))
        return DependencyAudit(dep, change, before, tuple(versions), origin, tuple(issues), tuple(notes))

    # -- steps ----------------------------------------------------------------------------------------

    def _asked(self, index: str) -> bool:
        """Whether ``index`` is a registry the audit asks (the ecosystem's public one, or a configured mirror)."""
        host = _host(index)
        return host in _PUBLIC_HOSTS or host in {_host(r.registry) for r in self.registries.values()}

    def _lookup(self, dep: Dependency) -> PackageInfo | None:
        registry = self.registries.get(dep.ecosystem)
        if registry is None:
            return None
        known = self._infos.get((dep.ecosystem, dep.name))
        if known is not None:
            return known
        try:
            return registry.lookup(dep.name)
        except Exception as exc:  # a registry must not raise; if one does, the package is unknown
            logger.debug("registry lookup of %s failed", dep.name, exc_info=True)
            from vouched.deps.registry import PackageInfo

            return PackageInfo.unknown(dep.ecosystem, dep.name, registry.registry, f"lookup failed: {exc}")

    def _versions(self, dep: Dependency, info: PackageInfo | None) -> tuple[list[str], str, list[Issue], list[str]]:
        if dep.version is not None:
            return [dep.version], "pinned", [], []
        spec = (dep.specifier or "") if dep.ecosystem == "PyPI" else dep.spec
        published = info.versions if info is not None and info.exists else None
        if published is not None:
            try:
                found = admitted_versions(dep.ecosystem, spec, published)
            except RangeError as exc:
                return [], "none", [Issue("unknown", f"{dep.describe()}: {exc}")], []
            note = f"the range {spec or '(any)'} admits {len(found)} of {len(published)} published version(s)"
            if not found:
                return [], "registry", [Issue("unknown", f"{dep.describe()}: {note}: nothing it could install")], []
            return found, "registry", [], [note]
        if self.db is not None:
            known = self.db.known_versions(dep.ecosystem, dep.name)
            try:
                found = admitted_versions(dep.ecosystem, spec, known)
            except RangeError as exc:
                return [], "none", [Issue("unknown", f"{dep.describe()}: {exc}")], []
            why = info.reason if info is not None and info.reason else (self.registry_problem or "no registry")
            note = (
                f"published versions unknown ({why}): judged by the {len(found)} version(s) the advisory "
                f"database names that the range {spec or '(any)'} admits, not by every release"
            )
            return found, "advisory database", [], [note]
        return (
            [],
            "none",
            [
                Issue(
                    "unknown",
                    f"{dep.describe()}: which versions the range admits is unknown (no registry, no database)",
                )
            ],
            [],
        )

    def _advisories(self, dep: Dependency, versions: Sequence[str], origin: str) -> list[Issue]:
        assert self.db is not None  # noqa: S101 - audit only calls this with a database
        hits = self.db.affected_versions(dep.ecosystem, dep.name, versions)
        by_id: dict[str, list[AdvisoryMatch]] = {}
        for matches in hits.values():
            for m in matches:
                by_id.setdefault(m.id, []).append(m)
        issues: list[Issue] = []
        ranged = origin != "pinned"
        for ident in sorted(by_id):
            matches = by_id[ident]
            affected = [m for m in matches if m.status is Status.AFFECTED]
            unknown = [m for m in matches if m.status is Status.UNKNOWN]
            if affected:
                first = affected[-1]  # the newest affected version: its first fix is what to move to
                vs = [m.version for m in affected]
                fixed = first.first_fixed
                aliases = f" ({', '.join(first.aliases)})" if first.aliases else ""
                head = (
                    f"the range admits {len(vs)} affected version(s) of {len(versions)} judged: {_show_versions(vs)}; "
                    if ranged
                    else ""
                )
                message = f"{head}{ident}{aliases}: {first.summary or 'no summary'}"
                evidence = [f"affected range: {first.affected_range}", f"first fixed: {fixed or 'no fix released'}"]
                if first.cvss:
                    evidence.append(f"severity: {first.cvss}")
                issues.append(Issue("vulnerable", message, tuple(evidence), first, tuple(vs)))
            elif unknown:
                m = unknown[0]
                issues.append(
                    Issue(
                        "unknown",
                        f"{dep.name} {_show_versions([u.version for u in unknown])}: cannot tell whether {ident} "
                        f"applies: {m.reason}",
                        (f"affected range: {m.affected_range}",),
                        m,
                        tuple(u.version for u in unknown),
                    )
                )
        return issues


def _licence_of(info: PackageInfo, versions: Sequence[str]) -> str | None:
    if len(versions) == 1:
        release = info.release(versions[0])
        if release is not None and release.licence:
            return str(release.licence)
    return None if info.licence is None else str(info.licence)


# The public registries' hosts: an index on one of them is the registry vouched asks by default.
_PUBLIC_HOSTS = frozenset(
    {"pypi.org", "pypi.python.org", "files.pythonhosted.org", "registry.npmjs.org", "registry.yarnpkg.com"}
)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        host = (parts.hostname or "").lower()
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return url.lower()


# -- licences ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\(|\)|[^\s()]+")
# The few licence names registries give that are not SPDX ids, mapped to the id they mean unambiguously.
_CLASSIFIER_IDS = {
    "mit license": "MIT",
    "apache software license": "Apache-2.0",
    "isc license (iscl)": "ISC",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "the unlicense (unlicense)": "Unlicense",
}


class _Expr:
    """A parsed SPDX expression: ``ids`` (leaves) and ``ok(pred)`` evaluating AND/OR over them."""

    def __init__(self, kind: str, ident: str = "", parts: tuple[_Expr, ...] = ()) -> None:
        self.kind, self.ident, self.parts = kind, ident, parts

    def ok(self, pred: Callable[[str], bool]) -> bool:
        if self.kind == "id":
            return pred(self.ident)
        if self.kind == "and":
            return all(p.ok(pred) for p in self.parts)
        return any(p.ok(pred) for p in self.parts)

    def ids(self) -> list[str]:
        return [self.ident] if self.kind == "id" else [i for p in self.parts for i in p.ids()]


def _parse_spdx(text: str) -> _Expr | None:
    tokens = _TOKEN.findall(text)
    pos = 0

    def expr() -> _Expr:
        nonlocal pos
        parts = [term()]
        while pos < len(tokens) and tokens[pos].upper() == "OR":
            pos += 1
            parts.append(term())
        return parts[0] if len(parts) == 1 else _Expr("or", parts=tuple(parts))

    def term() -> _Expr:
        nonlocal pos
        parts = [atom()]
        while pos < len(tokens) and tokens[pos].upper() == "AND":
            pos += 1
            parts.append(atom())
        return parts[0] if len(parts) == 1 else _Expr("and", parts=tuple(parts))

    def atom() -> _Expr:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError("unexpected end")
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            inner = expr()
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError("unclosed (")
            pos += 1
            return inner
        if tok == ")" or tok.upper() in ("AND", "OR", "WITH"):
            raise ValueError(f"unexpected {tok}")
        if pos < len(tokens) and tokens[pos].upper() == "WITH":  # an exception to a licence: judge the licence
            pos += 2
        return _Expr("id", ident=tok.removesuffix("+"))

    try:
        parsed = expr()
    except ValueError:
        return None
    return parsed if pos == len(tokens) else None


def licence_problem(licence: str | None, policy: DepsPolicy) -> str | None:
    """Why ``licence`` (an SPDX expression, or a registry's licence name) breaks the policy, or None.

    A denied id anywhere that the expression forces (every alternative of an OR containing it) is a
    problem; with an allow list, the expression must be satisfiable by allowed ids alone. An unknown
    licence fails either list (unknown is not fine); a licence text that is not an SPDX expression fails
    an allow list, and a deny list only when it is a denied id.
    """
    if not policy.licence_allow and not policy.licence_deny:
        return None
    allow = {i.casefold() for i in policy.licence_allow}
    deny = {i.casefold() for i in policy.licence_deny}
    if licence is None or not licence.strip():
        if allow:
            return "its licence is unknown, and the policy allows only " + ", ".join(policy.licence_allow)
        return "its licence is unknown: it cannot be checked against the policy's deny list"
    text = licence.strip()
    mapped = _CLASSIFIER_IDS.get(text.casefold())
    parsed = _parse_spdx(mapped or text)
    if parsed is None:
        if text.casefold() in deny:
            return f"licence {text} is denied by the policy"
        if allow:
            return f"licence {text!r} is not an SPDX expression vouched can check against the allow list"
        return None
    if not parsed.ok(lambda i: i.casefold() not in deny):
        denied = sorted({i for i in parsed.ids() if i.casefold() in deny})
        return f"licence {text} is denied by the policy ({', '.join(denied)})"
    if allow and not parsed.ok(lambda i: i.casefold() in allow and i.casefold() not in deny):
        return f"licence {text} is not in the policy's allow list ({', '.join(policy.licence_allow)})"
    return None
