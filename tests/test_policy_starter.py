"""`vouched init`'s proposal: red for risky-looking paths, yellow for source, green for the rest."""

from __future__ import annotations

from vouched.model import Identity
from vouched.policy import Explanation, parse_people, parse_policy, starter
from vouched.policy.model import compile_path_pattern

REPO = [
    "README.md",
    "LICENSE",
    "pyproject.toml",
    "setup.py",
    "Dockerfile",
    ".github/workflows/ci.yml",
    ".github/ISSUE_TEMPLATE/bug.md",
    "docs/index.md",
    "tests/test_app.py",
    "tests/auth/test_login.py",
    "src/app/__init__.py",
    "src/app/views.py",
    "src/app/auth/login.py",
    "src/app/auth/tokens.py",
    "src/app/billing.py",
    "src/app/payments/charge.py",
    "migrations/0001_init.sql",
    "deploy/main.tf",
    "lib/util.js",
]


def _by_tier(explanations: tuple[Explanation, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in explanations:
        out.setdefault(e.tier, []).append(e.pattern)
    return out


def test_proposal_classifies_paths() -> None:
    proposal = starter(REPO)
    tiers = _by_tier(proposal.explanations)
    assert tiers["green"] == ["**"]
    # deploy/ and migrations/ hold only red files, so they get no yellow pattern of their own
    assert set(tiers["yellow"]) == {"src/**", "lib/**", "/*.py", "/*.toml"}
    red = set(tiers["red"])
    assert {
        ".github/workflows/**",
        "Dockerfile",
        "*.tf",
        "src/app/auth/**",
        "src/app/payments/**",
        "src/app/billing.py",
        "migrations/**",
        ".vouched/**",
    } <= red
    assert "tests/auth/**" not in red  # tests stay green
    assert all(e.why for e in proposal.explanations)


def test_proposal_parses_and_resolves_as_explained() -> None:
    proposal = starter(REPO)
    policy = parse_policy(proposal.policy)
    assert [t.name for t in policy.tiers] == ["green", "yellow", "red"]
    assert policy.resolve("src/app/auth/login.py").tier.name == "red"
    assert policy.resolve("src/app/views.py").tier.name == "yellow"
    assert policy.resolve("docs/index.md").tier.name == "green"
    assert policy.resolve(".vouched/policy.toml").tier.name == "red"
    assert policy.resolve("src/app/views.py", [(4, "import hashlib")]).tier.name == "red"
    assert policy.unknown_author_level is None
    assert parse_people(proposal.people, policy).persons == ()
    assert "#" in proposal.policy and "[[tiers]]" in proposal.policy


def test_only_patterns_that_match_the_repo() -> None:
    proposal = starter(REPO)
    for e in proposal.explanations:
        if e.pattern in ("**", ".vouched/**") or e.pattern.startswith("^"):
            continue
        rule = compile_path_pattern(e.pattern)
        assert any(rule.regex.match(p) for p in REPO), e.pattern


def test_docs_only_repository_has_no_yellow_tier() -> None:
    proposal = starter(["README.md", "docs/a.md"])
    policy = parse_policy(proposal.policy)
    assert [t.name for t in policy.tiers] == ["green", "red"]
    assert policy.riskiest.paths == (".vouched/**",)


def test_empty_repository() -> None:
    policy = parse_policy(starter([]).policy)
    assert policy.resolve("anything").tier.name == "green"


def test_many_directories_of_one_kind_collapse() -> None:
    paths = [f"svc{i}/migrations/000{i}.sql" for i in range(6)]
    red = _by_tier(starter(paths).explanations)["red"]
    assert "**/migrations/**" in red
    assert not any(p.startswith("svc") and "migrations" in p for p in red)


def test_special_characters_in_paths_are_escaped() -> None:
    paths = ["src/auth[1]/x.py", "#weird/auth/a.py", "!bang/login.py", "sp ace/session.py "]
    proposal = starter(paths)
    policy = parse_policy(proposal.policy)
    assert policy.resolve("src/auth[1]/x.py").tier.name in ("yellow", "red")
    assert policy.resolve("#weird/auth/a.py").tier.name == "red"
    assert policy.resolve("!bang/login.py").tier.name == "red"


def test_authors_become_junior_people() -> None:
    authors = [
        ("Alice Archer", "alice@bank.example"),
        Identity("Alice Archer", "ALICE@bank.example"),
        ("Alice A.", "alice@home.example"),
        ('Quote "Q" O\'Neil', "q@bank.example"),
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        ("No Email", "not-an-email"),
    ]
    proposal = starter(REPO, authors)
    policy = parse_policy(proposal.policy)
    people = parse_people(proposal.people, policy)
    ids = [p.id for p in people.persons]
    assert ids == ["alice", "alice-2", "q"]
    assert all(p.level == "junior" for p in people.persons)
    assert people.by_email("alice@bank.example") is not None
    q = people.by_email("q@bank.example")
    assert q is not None and q.name == 'Quote "Q" O\'Neil'
