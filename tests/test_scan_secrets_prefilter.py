"""The fast paths of the scan give the same findings as the slow ones they replace.

``_plugins_may_match`` lets a line skip detect-secrets' plugins (and a change skip importing detect-secrets);
it must hold for every line some plugin reports on. That is checked here against the plugins themselves:
lines are generated from each plugin's own patterns (Hypothesis), so a new or changed pattern in a newer
detect-secrets that the prefilter does not cover fails this test. Then the whole gate is run on a fixed
change with the fast paths and with the reference paths (every plugin on every candidate line, the
line-origin index replaced by the linear search it replaced) and the findings must be the same.

Credentials in this file are built by concatenation at run time, so the file itself carries none.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vouched.gate.engine import evaluate, judge
from vouched.gate.evaluation import EvaluatedCommit
from vouched.gate.findings import Finding
from vouched.gate.suite import full_gate
from vouched.git import Git, ScratchRepo
from vouched.scan import patterns_origin, secrets
from vouched.scan.secrets import find_secrets

from conftest import ALICE

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _plugin_patterns() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for plugin in secrets._detect_secrets_plugins():
        for regex in plugin.denylist:
            out.append((type(plugin).__name__, regex))
    return out


PATTERNS = _plugin_patterns()


def plugin_hits(line: str) -> list[str]:
    """What the plugins report on ``line``, with no prefilter at all."""
    found: list[str] = []
    for plugin in secrets._detect_secrets_plugins():
        found += [str(p.type) for p in plugin.analyze_line(filename="x.py", line=line, line_number=0)]
    return found


def test_every_plugin_vouched_runs_has_patterns_the_test_reads() -> None:
    # The generator below draws from these; a plugin without `denylist` would go unchecked.
    assert len(PATTERNS) >= 30
    assert len({name for name, _ in PATTERNS}) == len(secrets._detect_secrets_plugins())


AROUND_BEFORE = ["", " ", 'key = "', "x=", "AWS_SECRET_ACCESS_KEY: '", "url: "]
AROUND_AFTER = ["", '"', "'", " # note", "\t"]


@st.composite
def plugin_lines(draw: st.DrawFn, regex: re.Pattern[str] | None = None) -> str:
    """A line holding a match of one of the plugins' patterns (``regex``, or any), with text around it."""
    core = draw(st.from_regex(regex if regex is not None else draw(st.sampled_from(PATTERNS))[1]))
    return draw(st.sampled_from(AROUND_BEFORE)) + core.replace("\n", " ") + draw(st.sampled_from(AROUND_AFTER))


# One test per pattern, so that every pattern is tried whatever Hypothesis draws.
@pytest.mark.parametrize("regex", [r for _, r in PATTERNS], ids=[f"{n}-{i}" for i, (n, _) in enumerate(PATTERNS)])
def test_prefilter_holds_for_every_line_a_plugin_reports_on(regex: re.Pattern[str]) -> None:
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
    @given(plugin_lines(regex))
    def holds(line: str) -> None:
        if plugin_hits(line):
            assert secrets._plugins_may_match(line), line

    holds()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_prefilter_holds_on_arbitrary_text(line: str) -> None:
    if plugin_hits(line):
        assert secrets._plugins_may_match(line), line


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(plugin_lines(), st.text(max_size=120)), min_size=1, max_size=4))
def test_find_secrets_is_the_same_with_and_without_the_prefilter(lines: list[str]) -> None:
    numbered = [(n, text.replace("\n", " ")) for n, text in enumerate(lines, 1)]
    assert find_secrets("a.env", numbered) == find_secrets("a.env", numbered, exhaustive=True)


def test_prefilter_lets_ordinary_code_skip_the_plugins() -> None:
    # The point of it: typical code with long identifiers no longer reaches detect-secrets.
    for line in (
        "def compute_quarterly_settlement_totals(account_identifier, reporting_period):",
        "    return self.transaction_repository.find_all_by_customer(customer_identifier)",
        "from vouched.scan.patterns_origin import Origins, describe",
    ):
        assert not secrets._plugins_may_match(line)


# -- the whole gate, fast paths against reference paths ----------------------------------------------------

POLICY = """\
version = 1
levels = ["junior", "senior"]

[[tiers]]
name = "green"
paths = ["**"]
[tiers.scan]
scanners = []

[[tiers]]
name = "yellow"
paths = ["src/**"]
[tiers.scan]
scanners = ["ruff"]
"""
PEOPLE = """\
[people.alice]
name = "Alice Archer"
level = "senior"
emails = ["alice@bank.example"]
"""
BASE_CODE = """\
import subprocess


def fetch(url, timeout):
    return url


def remove_me(x):
    return x
"""


REMOVED = "def remove_me(x):\n    return x\n"
ADDED = """

def run(cmd):
    try:
        return subprocess.call(cmd, shell=True)
    except Exception:
        pass


def query(db, name):
    return db.execute(f"SELECT * FROM users WHERE name = '{name}'")
"""


def _lines() -> dict[str, str]:
    twilio = "AC" + "0123456789abcdef" * 2
    jwt = "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    slack = "xox" + "b-1234567890-1234567890123-abcdefghijABCDEFGHIJklmn"
    mailchimp = "0123456789abcdef" * 2 + "-us12"
    iam = "A" * 10 + "bcdefghij0123456789_-KLMNOPQRSTUVWXYZab"
    return {
        "config/.env": f"TWILIO={twilio}\nSESSION={jwt}\nSLACK={slack}\nMC_KEY={mailchimp}\n"
        f'ibm_cloud_iam_key = "{iam[:44]}"\nDATABASE=postgres://app:Sup3rS3cretPw@db/prod\n'
        "an_ordinary_long_identifier_without_credentials = 1\n",
        "src/app/service.py": BASE_CODE.replace("timeout):", "timeout, retries):").replace(REMOVED, "") + ADDED,
    }


def _reference_touching(self: patterns_origin.Origins, path: str) -> list[EvaluatedCommit]:
    """The linear search the index replaced."""
    ev: Any = self._ev
    return [c for c in ev.commits if any(path in t.paths for t in c.commit.files)]


def _gate(repo: ScratchRepo) -> list[Finding]:
    git = Git(repo.path)
    return list(judge(evaluate(git, "main", "feature"), full_gate(git)).findings)


def test_full_gate_findings_are_the_same_on_the_fast_and_the_reference_paths(
    repo: ScratchRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {".vouched/policy.toml": POLICY, ".vouched/people.toml": PEOPLE, "src/app/service.py": BASE_CODE},
    )
    repo.git("checkout", "-q", "-b", "feature")
    files = _lines()
    repo.commit(f"Add settings\n\n{CLAUDE}\n", {"config/.env": files["config/.env"]}, author=ALICE)
    repo.commit(f"Rework service\n\n{CLAUDE}\n", {"src/app/service.py": files["src/app/service.py"]}, author=ALICE)
    repo.commit(
        "Tidy service\n\nAssisted-by: none\n",
        {"src/app/service.py": files["src/app/service.py"] + "\n\nVERSION = 2\n"},
        author=ALICE,
    )
    fast = _gate(repo)
    monkeypatch.setattr(secrets, "_plugins_may_match", lambda line: True)
    monkeypatch.setattr(patterns_origin.Origins, "_commits_touching", _reference_touching)
    reference = _gate(repo)
    assert fast == reference
    rules = {f.rule for f in fast}
    # The change exercises what the fast paths touch: detect-secrets' kinds, prompts, the scanner.
    assert {"scan.secret", "review.prompt", "scan.finding"} <= rules, rules
    messages = " ".join(f.message for f in fast if f.rule == "scan.secret")
    for kind in ("Twilio", "JSON Web Token", "Slack", "Mailchimp", "connection string"):
        assert kind in messages, (kind, messages)


def test_finding_secrets_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """detect-secrets can verify a secret with its issuer's API; vouched must never let it (offline, no leak)."""
    import socket

    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    lines = [
        (1, 'github = "ghp_' + "Zq8Xw7Vu6Ts5Rq4Po3Nm2Lk1Jh0Gf9Ed8Cb7A" + '"'),
        (2, 'slack = "xoxb-' + "123456789012-1234567890123-abcdefghijABCDEFGHIJklmn" + '"'),
        (3, 'stripe = "sk_live_' + "abcdefghijklmnopqrstuvwx" + '"'),
        (4, 'aws = "AKIA' + "IOSFODNN7EXAMPLQ" + '"'),
    ]
    found = find_secrets("config.py", lines)
    assert {f.line for f in found} == {1, 2, 3, 4}
    assert attempts == []


@pytest.mark.parametrize(
    ("line", "token"),
    [('ARTIFACTORY = "AKCp8abcdef12"', "AKCp8abcdef12"), ('pw = "APBabcdefgh"', "APBabcdefgh")],
)
def test_short_artifactory_credentials_are_found(line: str, token: str) -> None:
    """Artifactory API tokens (AKC + 10) and passwords (AP + 9) are shorter than 16 characters: a length floor
    in front of the plugins once hid them."""
    found = find_secrets("settings.py", [(1, line)])
    assert [f.line for f in found] == [1]
    assert token not in found[0].message
