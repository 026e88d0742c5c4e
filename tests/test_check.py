"""The verdict: people of each level, with and without AI, in each tier, on real repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vouched.demo import DEMO_PEOPLE, DEMO_POLICY
from vouched.gate.approvals import GitHubReviews
from vouched.gate.engine import evaluate, judge
from vouched.gate.findings import Verdict
from vouched.git import Git, ScratchRepo

from conftest import ALICE, BOB, CAROL, DAVE, STRANGER

ERIN = ("Erin Evans", "erin@bank.example")  # a third senior, so red changes can find two reviewers
PEOPLE = (
    DEMO_PEOPLE
    + """
[people.erin]
name = "Erin Evans"
level = "senior"
emails = ["erin@bank.example"]
github = "erin-evans"
"""
)
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
RATIONALE = "AI-Rationale: checked against the spec and the tests"
LOGINS = {"alice": "alice-archer", "bob": "bob-baker", "carol": "carol-chen", "dave": "dave-diaz"}
LOGINS["erin"] = "erin-evans"


@pytest.fixture
def shop(repo: ScratchRepo) -> ScratchRepo:
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {
            ".vouched/policy.toml": DEMO_POLICY,
            ".vouched/people.toml": PEOPLE,
            "docs/guide.md": "# Guide\n",
            "src/app/orders.py": "def total(xs):\n    return sum(xs)\n",
            "src/auth/login.py": "def check(a, b):\n    return a == b\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def reviews(tmp_path: Path, *entries: tuple[str, str, str]) -> GitHubReviews:
    body = [
        {
            "user": {"login": LOGINS.get(who, who)},
            "state": state,
            "commit_id": commit,
            "submitted_at": f"T{i}",
        }
        for i, (who, state, commit) in enumerate(entries)
    ]
    path = tmp_path / f"reviews-{len(list(tmp_path.glob('reviews-*')))}.json"
    path.write_text(json.dumps(body))
    return GitHubReviews(path)


def verdict(repo: ScratchRepo, *sources: GitHubReviews, none: bool = False) -> Verdict:
    return judge(evaluate(Git(repo.path), "main", "feature", None if none else list(sources)))


def rules(v: Verdict) -> set[str]:
    return {f.rule for f in v.blocking}


def head(repo: ScratchRepo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


@pytest.mark.parametrize(
    ("author", "message", "path", "approvers", "expected"),
    [
        # green: anyone, with or without AI, one approval
        (CAROL, "docs", "docs/guide.md", ["bob"], set()),
        (CAROL, f"docs\n\n{CLAUDE}", "docs/guide.md", ["bob"], set()),
        # yellow: juniors may change it by hand, AI-assisted work needs mid and a rationale
        (CAROL, "by hand", "src/app/orders.py", ["bob"], set()),
        (CAROL, f"ai\n\n{RATIONALE}\n{CLAUDE}", "src/app/orders.py", ["bob"], {"clearance.ai-level"}),
        (BOB, f"ai\n\n{RATIONALE}\n{CLAUDE}", "src/app/orders.py", ["alice"], set()),
        (BOB, f"ai\n\n{CLAUDE}", "src/app/orders.py", ["alice"], {"rationale.missing"}),
        (BOB, f"ai\n\n{RATIONALE}\n{CLAUDE}", "src/app/orders.py", ["carol"], {"approvals.insufficient"}),
        # red: senior only, declared, rationale for AI, two independent senior approvals
        (BOB, "fix\n\nAssisted-by: none", "src/auth/login.py", ["alice", "dave"], {"clearance.level"}),
        (ALICE, "fix\n\nAssisted-by: none", "src/auth/login.py", ["dave", "erin"], set()),
        (ALICE, f"fix\n\n{RATIONALE}\n{CLAUDE}", "src/auth/login.py", ["dave", "erin"], set()),
        (ALICE, f"fix\n\n{CLAUDE}", "src/auth/login.py", ["dave", "erin"], {"rationale.missing"}),
        (ALICE, "fix", "src/auth/login.py", ["dave", "erin"], {"declaration.missing"}),
        (ALICE, "fix\n\nAssisted-by: none", "src/auth/login.py", ["dave"], {"approvals.insufficient"}),
        (ALICE, "fix\n\nAssisted-by: none", "src/auth/login.py", ["dave", "bob"], {"approvals.insufficient"}),
    ],
)
def test_levels_ai_and_tiers(
    shop: ScratchRepo,
    tmp_path: Path,
    author: tuple[str, str],
    message: str,
    path: str,
    approvers: list[str],
    expected: set[str],
) -> None:
    shop.commit(message, {path: f"# changed by {author[0]}\n"}, author=author)
    sha = head(shop)
    v = verdict(shop, reviews(tmp_path, *[(who, "APPROVED", sha) for who in approvers]))
    assert rules(v) == expected, [f.message for f in v.findings]
    assert v.passed == (not expected)


def test_content_rule_makes_a_yellow_file_red(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit("hash it", {"src/app/util.py": "import hashlib\n"}, author=CAROL)
    v = verdict(shop, reviews(tmp_path, ("alice", "APPROVED", head(shop)), ("dave", "APPROVED", head(shop))))
    assert v.tier == "red"
    (f,) = v.files
    assert f.tier == "red"
    assert "content" in f.reason
    assert "clearance.level" in rules(v)


def test_moving_a_file_from_green_to_red_is_red(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit("move", moves={"docs/guide.md": "src/auth/guide.md"}, author=CAROL)
    v = verdict(shop, reviews(tmp_path, ("alice", "APPROVED", head(shop)), ("dave", "APPROVED", head(shop))))
    assert v.tier == "red"
    assert "clearance.level" in rules(v)


def test_a_change_cannot_lower_its_own_bar(shop: ScratchRepo, tmp_path: Path) -> None:
    relaxed = DEMO_POLICY.replace("approvals = 2", "approvals = 0").replace(
        'min_level = "senior"', 'min_level = "junior"'
    )
    shop.commit(
        "relax the policy and change login\n\nAssisted-by: none\n",
        {".vouched/policy.toml": relaxed, "src/auth/login.py": "def check(a, b):\n    return True\n"},
        author=ALICE,
    )
    v = verdict(shop, reviews(tmp_path))
    assert "approvals.insufficient" in rules(v)  # the base policy's two approvals still apply
    assert any(f.rule == "policy.edited" for f in v.findings)
    assert {f.path: f.tier for f in v.files}[".vouched/policy.toml"] == "red"


def test_a_change_cannot_enrol_its_own_author(shop: ScratchRepo, tmp_path: Path) -> None:
    promoted = PEOPLE + '\n[people.sam]\nname = "Sam"\nlevel = "senior"\nemails = ["sam@elsewhere.example"]\n'
    shop.commit("enrol me\n\nAssisted-by: none", {".vouched/people.toml": promoted}, author=STRANGER)
    v = verdict(shop, reviews(tmp_path, ("alice", "APPROVED", head(shop)), ("dave", "APPROVED", head(shop))))
    assert "author.unknown" in rules(v)


def test_unknown_author_with_a_level(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.git("checkout", "-q", "main")
    shop.commit(
        "let strangers edit docs",
        {".vouched/policy.toml": DEMO_POLICY.replace('level = "none"', 'level = "junior"')},
    )
    shop.git("checkout", "-q", "-B", "feature")
    shop.commit("typo", {"docs/guide.md": "# Guide!\n"}, author=STRANGER)
    v = verdict(shop, reviews(tmp_path, ("bob", "APPROVED", head(shop))))
    assert v.passed
    assert any(f.rule == "author.unknown" and not f.blocking for f in v.findings)


def test_ai_not_allowed(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.git("checkout", "-q", "main")
    shop.commit(
        "no AI in red",
        {".vouched/policy.toml": DEMO_POLICY.replace('ai_min_level = "senior"', "ai_allowed = false")},
    )
    shop.git("checkout", "-q", "-B", "feature")
    shop.commit(f"fix\n\n{RATIONALE}\n{CLAUDE}", {"src/auth/login.py": "x = 1\n"}, author=ALICE)
    v = verdict(shop, reviews(tmp_path, ("dave", "APPROVED", head(shop)), ("erin", "APPROVED", head(shop))))
    assert rules(v) == {"ai.not-allowed"}


def test_bot_author_answers_to_its_human(shop: ScratchRepo, tmp_path: Path) -> None:
    bot = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
    shop.commit(
        f"ai\n\n{RATIONALE}\nCo-authored-by: Bob Baker <bob@bank.example>",
        {"src/app/orders.py": "x = 2\n"},
        author=bot,
    )
    v = verdict(shop, reviews(tmp_path, ("alice", "APPROVED", head(shop)), ("bob", "APPROVED", head(shop))))
    (c,) = v.commits
    assert c.person == "bob"
    assert "copilot" in c.attribution.tools
    assert v.passed  # Bob (mid) may land AI work in yellow; his own approval does not count, Alice's does
    assert any("authored part of this change" in f.message for f in v.findings)


def test_approvals_that_do_not_count(shop: ScratchRepo, tmp_path: Path) -> None:
    first = shop.commit("one\n\nAssisted-by: none", {"src/auth/login.py": "x = 1\n"}, author=ALICE)
    shop.commit("two\n\nAssisted-by: none", {"src/auth/login.py": "x = 2\n"}, author=ALICE)
    v = verdict(
        shop,
        reviews(
            tmp_path,
            ("alice", "APPROVED", head(shop)),  # self-approval
            ("dave", "APPROVED", first),  # stale
            ("erin", "CHANGES_REQUESTED", head(shop)),
            ("mallory", "APPROVED", head(shop)),  # not on the roster
            ("bob", "APPROVED", head(shop)),  # not senior
        ),
    )
    assert rules(v) == {"approvals.insufficient"}
    texts = " | ".join(f.message for f in v.findings if f.rule == "approvals.not-counted")
    assert "they authored part of this change" in texts
    assert "stale" in texts
    assert "changes_requested" in texts
    assert "no one in" in texts


def test_no_approval_source_fails_closed(shop: ScratchRepo) -> None:
    shop.commit("docs", {"docs/guide.md": "# new\n"}, author=CAROL)
    assert rules(verdict(shop, none=True)) == {"approvals.no-source"}


def test_stages_fail_until_the_ledger_exists(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.git("checkout", "-q", "main")
    staged = DEMO_POLICY.replace("require_declaration = true", 'require_declaration = true\nstages = ["review"]')
    shop.commit("stages", {".vouched/policy.toml": staged})
    shop.git("checkout", "-q", "-B", "feature")
    shop.commit("fix\n\nAssisted-by: none", {"src/auth/login.py": "x = 3\n"}, author=ALICE)
    v = verdict(shop, reviews(tmp_path, ("dave", "APPROVED", head(shop)), ("erin", "APPROVED", head(shop))))
    # No ledger: the stage cannot be verified; and a tier with stages takes only signed approvals by default.
    assert rules(v) == {"stages.unverified", "approvals.insufficient"}
    assert any("no signed ledger" in f.message for f in v.blocking)
    assert any("unsigned forge approvals" in f.message for f in v.blocking)


def test_empty_change_passes_with_a_note(shop: ScratchRepo) -> None:
    v = verdict(shop, none=True)
    assert v.passed
    assert v.tier is None
    assert [f.rule for f in v.findings] == ["change.empty"]


def test_merge_from_main_does_not_make_its_author_responsible_for_main(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.git("checkout", "-q", "main")
    shop.commit("red work on main\n\nAssisted-by: none", {"src/auth/login.py": "x = 9\n"}, author=ALICE)
    shop.git("checkout", "-q", "feature")
    shop.commit("docs", {"docs/guide.md": "# doc\n"}, author=CAROL)
    shop.merge("main", "Merge main into feature", author=CAROL)
    v = verdict(shop, reviews(tmp_path, ("bob", "APPROVED", head(shop))))
    assert v.passed, [f.message for f in v.blocking]
    assert v.tier == "green"


def test_findings_say_how_to_pass(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(f"ai\n\n{CLAUDE}", {"src/auth/login.py": "x = 1\n"}, author=CAROL)
    v = verdict(shop, reviews(tmp_path))
    assert not v.passed
    for f in v.blocking:
        assert f.hint, f.rule
        assert f.rule
    assert any(f.commit == head(shop) and f.path == "src/auth/login.py" for f in v.blocking)


def test_policy_is_read_at_base_not_head(shop: ScratchRepo) -> None:
    shop.commit("break the policy", {".vouched/policy.toml": "version = 1\nlevels = [\n"}, author=ALICE)
    # A broken policy in the change does not matter: the base's policy judges it.
    v = verdict(shop, none=True)
    assert v.tier == "red"


def test_agent_bot_and_dave_are_distinct_people(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(
        f"pair\n\nAssisted-by: none\nCo-authored-by: Dave Diaz <{DAVE[1]}>",
        {"src/auth/login.py": "x = 5\n"},
        author=ALICE,
    )
    v = verdict(shop, reviews(tmp_path, ("dave", "APPROVED", head(shop)), ("erin", "APPROVED", head(shop))))
    assert rules(v) == {"approvals.insufficient"}  # Dave co-authored it, so only Erin counts


def test_bob_alone_cannot_pass_yellow_ai(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(f"ai\n\n{RATIONALE}\n{CLAUDE}", {"src/app/orders.py": "y = 1\n"}, author=BOB)
    v = verdict(shop, reviews(tmp_path, ("bob", "APPROVED", head(shop))))
    assert rules(v) == {"approvals.insufficient"}
