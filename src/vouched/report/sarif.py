"""The ``sarif`` format: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

The document validates against the OASIS schema and follows what GitHub code scanning requires:

- one run; ``tool.driver`` carries the rules (id, name, descriptions, help as text and Markdown, default
  level, tags), ``semanticVersion`` is the vouched version;
- every result has a rule id and index, a level (``error``, ``warning``, ``note``), a message that ends
  with the fix, ``partialFingerprints`` and exactly one location;
- GitHub rejects a result without a location, so a finding that names no file (a missing approval, a
  policy-wide problem) is placed at ``.vouched/policy.toml`` line 1, the file that asked for the check;
  such a result has ``properties.placeholderLocation = true``;
- a result's region starts at line 1 or later; a finding without a line is placed at line 1;
- ``artifactLocation.uri`` is a relative URI reference: the path's bytes (non-UTF-8 bytes included) are
  percent-encoded, ``/`` is kept;
- ``partialFingerprints["vouchedFinding/v1"]`` is a SHA-256 of rule, path, commit and message (not the
  line, so that an alert survives lines moving), with ``:N`` for the N-th identical finding, the way
  CodeQL numbers its line hashes;
- ``properties`` of a result: ``blocking``, ``commit``, ``tier``; of the run: the verdict, base, merge base,
  head, riskiest tier and policy digest. ``versionControlProvenance`` (the head revision) is written when
  the repository's URI is known, since SARIF requires one there.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit, urlunsplit

import vouched
from vouched.gate.findings import Finding, Severity
from vouched.report._util import clean, json_safe
from vouched.report.interface import Formatter
from vouched.report.markdown import escape

if TYPE_CHECKING:
    from vouched.gate.findings import Verdict

__all__ = ["POLICY_PATH", "RuleDoc", "SarifFormatter", "artifact_uri", "fingerprint", "repository_uri"]

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/vouched/vouched"
POLICY_PATH = ".vouched/policy.toml"  # where a finding without a path is shown
FINGERPRINT_KEY = "vouchedFinding/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_RANK = {"note": 0, "warning": 1, "error": 2}
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/]+)@)?(?P<host>[^:/]+):(?P<path>(?!//).+)$")


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """What a rule checks and how to satisfy it, for a rule catalogue (``rules=`` of the formatter)."""

    id: str
    short: str
    full: str = ""
    help: str = ""
    level: str = "error"
    tags: tuple[str, ...] = field(default=())


def catalogue() -> dict[str, RuleDoc]:
    """SARIF rule metadata for every rule vouched's gate knows."""
    from vouched.gate.rules import RULES

    return {
        r.id: RuleDoc(
            id=r.id,
            short=r.title,
            full=r.why,
            help=f"{r.why}\n\nHow to pass: {r.fix}",
            level="error" if r.blocking else "note",
            tags=("vouched", r.id.split(".", 1)[0]),
        )
        for r in RULES.values()
    }


def artifact_uri(path: str) -> str:
    """A repository path as a relative URI reference: its exact bytes, percent-encoded, ``/`` kept."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def fingerprint(finding: Finding) -> str:
    """A stable SHA-256 of what identifies a finding: rule, path, commit and message (not the line)."""
    parts = (finding.rule, finding.path or "", finding.commit or "", finding.message)
    raw = b"\x00".join(p.encode("utf-8", "surrogatepass") for p in parts)
    return hashlib.sha256(raw).hexdigest()


def repository_uri(remote: str | None) -> str | None:
    """A remote URL as an absolute URI without credentials, or None.

    ``git@github.com:org/repo.git`` becomes ``ssh://git@github.com/org/repo.git``; the password or token in
    ``https://user:token@host/...`` is dropped, so a SARIF file never leaks it.
    """
    if not remote:
        return None
    remote = remote.strip()
    parts = urlsplit(remote)
    if parts.scheme and parts.netloc:
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        user = f"{parts.username}@" if parts.username and parts.scheme in ("ssh", "git+ssh") else ""
        return urlunsplit((parts.scheme, user + host, parts.path, "", ""))
    scp = _SCP_LIKE.match(remote)
    if scp:
        user = f"{scp['user']}@" if scp["user"] else ""
        return f"ssh://{user}{scp['host']}/{scp['path'].lstrip('/')}"
    return None


def _words(rule: str) -> list[str]:
    return [w for w in re.split(r"[^0-9A-Za-z]+", rule) if w]


def _fallback_doc(rule: str, findings: list[Finding]) -> RuleDoc:
    """A rule's description when no catalogue entry exists: built from its id and its findings."""
    hint = next((f.hint for f in findings if f.hint), "")
    level = max((_LEVELS[f.severity] for f in findings), key=_RANK.__getitem__)
    category = re.split(r"[/.:]", rule, maxsplit=1)[0]
    tags = ("vouched", category) if category and category != rule else ("vouched",)
    return RuleDoc(
        id=rule,
        short=f"vouched rule {rule}",
        full=f"A vouched policy check ({rule}).",
        help=f"To resolve it: {hint}" if hint else "",
        level=level,
        tags=tags,
    )


def _rule(doc: RuleDoc) -> dict[str, Any]:
    help_text = clean(doc.help) or f"See the vouched documentation for rule {clean(doc.id)}."
    return {
        "id": doc.id,
        "name": "".join(w[:1].upper() + w[1:] for w in _words(doc.id)) or doc.id,
        "shortDescription": {"text": clean(doc.short)},
        "fullDescription": {"text": clean(doc.full or doc.short)},
        "help": {
            "text": help_text,
            "markdown": f"**{escape(doc.id)}**: {escape(doc.full or doc.short)}\n\n{escape(help_text)}",
        },
        "defaultConfiguration": {"level": doc.level},
        "properties": {"tags": list(doc.tags)},
    }


def _message(finding: Finding) -> str:
    text = finding.message.strip()
    if finding.hint:
        text += f"\nFix: {finding.hint.strip()}"
    return text


def _location(finding: Finding) -> dict[str, Any]:
    line = finding.line if finding.line is not None and finding.line >= 1 else 1
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(finding.path or POLICY_PATH), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line},
        }
    }


class SarifFormatter(Formatter):
    name: ClassVar[str] = "sarif"

    def __init__(self, *, repository_uri: str | None = None, rules: Mapping[str, RuleDoc] | None = None) -> None:
        self.repository_uri = repository_uri
        self.rules = dict(rules) if rules is not None else catalogue()

    def document(self, verdict: Verdict) -> dict[str, Any]:
        """The SARIF log as a JSON-ready dict."""
        by_rule: dict[str, list[Finding]] = {}
        for f in verdict.findings:
            by_rule.setdefault(f.rule, []).append(f)
        docs = [self.rules.get(rule) or _fallback_doc(rule, by_rule[rule]) for rule in sorted(by_rule)]
        index = {doc.id: i for i, doc in enumerate(docs)}
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "vouched",
                    "informationUri": INFORMATION_URI,
                    "semanticVersion": vouched.__version__,
                    "rules": [_rule(doc) for doc in docs],
                }
            },
        }
        uri = repository_uri(self.repository_uri)
        if uri is not None:
            run["versionControlProvenance"] = [{"repositoryUri": uri, "revisionId": verdict.head}]
        run["results"] = list(self._results(verdict.findings, index))
        run["properties"] = {
            "verdict": "pass" if verdict.passed else "fail",
            "base": verdict.base,
            "mergeBase": verdict.merge_base,
            "head": verdict.head,
            "tier": verdict.tier,
            "policyDigest": verdict.policy_digest,
        }
        return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}

    def _results(self, findings: Iterable[Finding], index: Mapping[str, int]) -> Iterable[dict[str, Any]]:
        seen: Counter[str] = Counter()
        for f in findings:
            digest = fingerprint(f)
            seen[digest] += 1
            properties: dict[str, Any] = {"blocking": f.blocking, "commit": f.commit, "tier": f.tier}
            if f.path is None:
                properties["placeholderLocation"] = True
            yield {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _LEVELS[f.severity],
                "message": {"text": _message(f)},
                "locations": [_location(f)],
                "partialFingerprints": {FINGERPRINT_KEY: f"{digest}:{seen[digest]}"},
                "properties": properties,
            }

    def render(self, verdict: Verdict) -> str:
        return json.dumps(json_safe(self.document(verdict)), indent=2, ensure_ascii=True) + "\n"
