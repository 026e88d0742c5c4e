"""Hand-built verdicts for the report tests and their golden files.

Shared by ``tests/test_report*.py`` and ``tests/golden/regenerate.py``; every value is pinned, so the
rendered reports are byte-for-byte reproducible.
"""

from __future__ import annotations

from collections.abc import Callable

import vouched
from vouched.gate.findings import CommitReport, FileReport, Finding, Severity, Verdict
from vouched.model import Commit, Identity
from vouched.provenance.model import Attribution

BASE = "1" * 40
MERGE_BASE = "2" * 40
HEAD = "9c0ffee" + "e" * 33
ALICE = Identity("Alice Archer", "alice@bank.example")
SAM = Identity("Sam Stranger", "sam@elsewhere.example")
CLAUDE = Attribution(
    assisted=True,
    declared=True,
    tools=("claude-code",),
    models=("claude-opus-4-5",),
    evidence=("trailer Co-Authored-By: Claude <noreply@anthropic.com>",),
)
NONE_DECLARED = Attribution(assisted=False, declared=True, evidence=("trailer Assisted-by: none",))
HUMAN = Attribution()
NON_UTF8_PATH = b"src/auth/caf\xe9 \xff#1.py".decode("utf-8", "surrogateescape")
# The version in golden SARIF files, so that releasing a version does not count as drift.
GOLDEN_VERSION = "0.0.0+golden"
REPOSITORY = "https://github.com/example/bank"


def commit(n: int, subject: str, author: Identity = ALICE, body: str = "") -> Commit:
    return Commit(
        sha=f"{n:x}".rjust(7, "a") + "b" * 33,
        parents=(MERGE_BASE,),
        tree="c" * 40,
        author=author,
        committer=author,
        authored_at=1_767_225_600 + 3600 * n,
        committed_at=1_767_225_600 + 3600 * n,
        message=subject + ("\n\n" + body if body else ""),
    )


def passing() -> Verdict:
    c1 = commit(1, "Add login throttle", body="Assisted-by: Claude:claude-opus-4-5")
    c2 = commit(2, "Fix typo in README", author=SAM)
    return Verdict(
        base=BASE,
        merge_base=MERGE_BASE,
        head=HEAD,
        tier="red",
        commits=(CommitReport(c1, "alice", CLAUDE), CommitReport(c2, None, NONE_DECLARED)),
        files=(
            FileReport("src/auth/login.py", "red", "path src/auth/**"),
            FileReport("README.md", "green", "path **", status="M"),
            FileReport("src/app/new.py", "yellow", "path src/**", old_path="src/app/old.py", status="R"),
        ),
        findings=(
            Finding(
                "approvals",
                Severity.NOTE,
                False,
                "2 of 2 required approvals (alice, dave)",
                path="src/auth/login.py",
                tier="red",
            ),
        ),
        policy_digest="sha256:" + "d" * 64,
        notes=("policy read at base 1111111",),
    )


def failing() -> Verdict:
    c1 = commit(1, "Add login throttle", body="Co-Authored-By: Claude <noreply@anthropic.com>")
    c2 = commit(2, "Tweak config", author=SAM)
    return Verdict(
        base=BASE,
        merge_base=MERGE_BASE,
        head=HEAD,
        tier="red",
        commits=(CommitReport(c1, "carol", CLAUDE), CommitReport(c2, None, HUMAN)),
        files=(
            FileReport("src/auth/login.py", "red", "path src/auth/**"),
            FileReport("src/app/config.py", "yellow", "path src/**"),
        ),
        findings=(
            Finding(
                "ai-clearance",
                Severity.ERROR,
                True,
                "carol (junior) landed an AI-assisted change in tier red, which needs senior",
                hint="have a senior engineer author or take over the change",
                path="src/auth/login.py",
                line=12,
                commit=c1.sha,
                tier="red",
            ),
            Finding(
                "declaration",
                Severity.ERROR,
                True,
                "commit does not say `Assisted-by: <agent>` or `Assisted-by: none`",
                hint="amend the commit message with an Assisted-by trailer",
                path="src/auth/login.py",
                commit=c2.sha,
                tier="red",
            ),
            Finding(
                "rationale",
                Severity.WARNING,
                False,
                "AI-assisted commit has no AI-Rationale",
                hint="add `AI-Rationale: <why the AI's work was accepted>` to the commit message",
                path="src/app/config.py",
                line=3,
                commit=c1.sha,
                tier="yellow",
            ),
            Finding("unknown-author", Severity.NOTE, False, "sam@elsewhere.example is not in people.toml"),
        ),
        policy_digest="sha256:" + "d" * 64,
    )


def empty() -> Verdict:
    return Verdict(base=BASE, merge_base=BASE, head=BASE, tier=None, commits=(), files=(), findings=())


def non_utf8() -> Verdict:
    c1 = commit(1, "Add caf\N{LATIN SMALL LETTER E WITH ACUTE} handler")
    return Verdict(
        base=BASE,
        merge_base=MERGE_BASE,
        head=HEAD,
        tier="red",
        commits=(CommitReport(c1, "alice", HUMAN),),
        files=(FileReport(NON_UTF8_PATH, "red", "path src/auth/**"),),
        findings=(
            Finding(
                "scan/secret",
                Severity.ERROR,
                True,
                f"possible secret in {NON_UTF8_PATH}",  # a check that copied the raw path
                hint="remove the secret and rotate it",
                path=NON_UTF8_PATH,
                line=0,  # SARIF needs a line of at least 1
                commit=c1.sha,
                tier="red",
            ),
        ),
    )


def pathless() -> Verdict:
    c1 = commit(1, "Change payments", body="Assisted-by: Claude:claude-opus-4-5")
    return Verdict(
        base=BASE,
        merge_base=MERGE_BASE,
        head=HEAD,
        tier="red",
        commits=(CommitReport(c1, "alice", CLAUDE),),
        files=(FileReport("src/payments/ledger.py", "red", "path src/payments/**"),),
        findings=(
            Finding(
                "approvals",
                Severity.ERROR,
                True,
                "1 of 2 required approvals from senior engineers",
                hint="ask one more senior engineer (not an author) to approve",
                tier="red",
            ),
        ),
    )


def many(count: int = 300) -> Verdict:
    commits = tuple(
        CommitReport(commit(i, f"Change number {i}"), "alice", CLAUDE if i % 2 else HUMAN) for i in range(1, 120)
    )
    files = tuple(FileReport(f"src/mod{i:03d}.py", "yellow", "path src/**") for i in range(200))
    findings = [
        Finding(
            f"rule-{i % 7}",
            Severity.ERROR if i % 3 == 0 else Severity.WARNING,
            i % 3 == 0,
            f"finding number {i} in a long list " + "x" * 80,
            hint="fix it",
            path=f"src/mod{i % 200:03d}.py",
            line=i + 1,
            commit=commits[i % len(commits)].commit.sha,
            tier="yellow",
        )
        for i in range(count)
    ]
    # two identical findings on different lines: their fingerprints must still differ
    first = commits[0].commit.sha
    findings += [
        Finding("dup", Severity.WARNING, False, "same", path="src/mod000.py", line=1, commit=first),
        Finding("dup", Severity.WARNING, False, "same", path="src/mod000.py", line=9, commit=first),
    ]
    return Verdict(
        base=BASE,
        merge_base=MERGE_BASE,
        head=HEAD,
        tier="yellow",
        commits=commits,
        files=files,
        findings=tuple(findings),
    )


SAMPLES: dict[str, Callable[[], Verdict]] = {
    "pass": passing,
    "fail": failing,
    "empty": empty,
    "non_utf8": non_utf8,
    "pathless": pathless,
}


def golden_sarif(text: str) -> str:
    """Rendered SARIF with the vouched version replaced by :data:`GOLDEN_VERSION`."""
    line = f'"semanticVersion": "{vouched.__version__}"'
    assert text.count(line) == 1, "SARIF output must carry the vouched version exactly once"
    return text.replace(line, f'"semanticVersion": "{GOLDEN_VERSION}"')
