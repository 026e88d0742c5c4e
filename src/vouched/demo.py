"""`vouched demo`: a sample repository with human and AI-assisted work in all three tiers, and two verdicts.

The repository is built in a temporary folder (or a folder the user names) with pinned identities and
dates, so the demo prints the same story on every machine.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from vouched.errors import UsageError
from vouched.gate.approvals import GitHubReviews
from vouched.gate.engine import evaluate, judge
from vouched.gate.suite import full_gate
from vouched.git import Git, ScratchRepo
from vouched.report import formatter

__all__ = ["DEMO_PEOPLE", "DEMO_POLICY", "build_demo_repo", "run_demo"]

ALICE = ("Alice Archer", "alice@bank.example")
BOB = ("Bob Baker", "bob@bank.example")
CAROL = ("Carol Chen", "carol@bank.example")
DAVE = ("Dave Diaz", "dave@bank.example")

DEMO_POLICY = """\
version = 1
levels = ["junior", "mid", "senior"]

[[tiers]]
name = "green"
paths = ["**"]
min_level = "junior"
ai_min_level = "junior"
approvals = 1
approver_min_level = "junior"

[[tiers]]
name = "yellow"
paths = ["src/**"]
ai_min_level = "mid"
approvals = 1
approver_min_level = "mid"
require_rationale = true

[[tiers]]
name = "red"
paths = ["src/payments/**", "src/auth/**", "migrations/**", ".vouched/**"]
content = ['^\\s*import (hashlib|hmac|ssl|secrets)\\b']
min_level = "senior"
ai_min_level = "senior"
approvals = 2
approver_min_level = "senior"
require_rationale = true
require_declaration = true

[unknown_authors]
level = "none"
"""

DEMO_PEOPLE = """\
[people.alice]
name = "Alice Archer"
level = "senior"
emails = ["alice@bank.example"]
github = "alice-archer"

[people.bob]
name = "Bob Baker"
level = "mid"
emails = ["bob@bank.example"]
github = "bob-baker"

[people.carol]
name = "Carol Chen"
level = "junior"
emails = ["carol@bank.example"]
github = "carol-chen"

[people.dave]
name = "Dave Diaz"
level = "senior"
emails = ["dave@bank.example"]
github = "dave-diaz"
"""

CLAUDE = "Co-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>"


def build_demo_repo(path: Path) -> dict[str, str]:
    """Build the sample repository; return the names of its branches and their head commits."""
    repo = ScratchRepo(path)
    repo.commit(
        "Adopt vouched: policy and roster\n\nAssisted-by: none\n",
        {".vouched/policy.toml": DEMO_POLICY, ".vouched/people.toml": DEMO_PEOPLE},
        author=ALICE,
    )
    repo.commit(
        "Orders service with password login\n\nAssisted-by: none\n",
        {
            "README.md": "# shop\n",
            "docs/orders.md": "# Orders\n\nHow orders are priced.\n",
            "src/app/orders.py": "def total(items):\n    return sum(i.price for i in items)\n",
            "src/auth/login.py": (
                "import hmac\n\n\ndef check(stored, given):\n    return hmac.compare_digest(stored, given)\n"
            ),
            "tests/test_orders.py": "def test_total():\n    assert True\n",
        },
        author=ALICE,
    )
    repo.commit(
        "Document discounts\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n",
        {"docs/orders.md": "# Orders\n\nHow orders are priced, and how discounts apply.\n"},
        author=CAROL,
    )
    heads = {"main": repo.git("rev-parse", "HEAD").strip()}

    # A passing change: Bob (mid) and Claude add discounts to the order service (yellow).
    repo.git("checkout", "-q", "-b", "feature/discounts")
    repo.commit(
        "Apply percentage discounts to order totals\n\n"
        "AI-Rationale: reviewed the rounding against the pricing spec; tests cover 0%, 100% and\n"
        " fractional cents.\n"
        f"{CLAUDE}\n",
        {
            "src/app/orders.py": (
                "from decimal import Decimal, ROUND_HALF_EVEN\n\n\n"
                "def total(items, discount=Decimal(0)):\n"
                "    gross = sum(i.price for i in items)\n"
                "    return (gross * (1 - discount)).quantize(Decimal('0.01'), ROUND_HALF_EVEN)\n"
            ),
            "tests/test_orders.py": "def test_total():\n    assert True\n\n\ndef test_discount():\n    assert True\n",
        },
        author=BOB,
    )
    heads["feature/discounts"] = repo.git("rev-parse", "HEAD").strip()

    # A failing change: Carol (junior) and Claude rewrite the login check (red) and relax the policy.
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "feature/login-shortcut")
    token = "ghp_" + "demo" * 9  # GitHub-token-shaped, built here so no scanner flags vouched's own source
    first = repo.commit(
        f"Speed up login\n\n{CLAUDE}\n",
        {
            "src/auth/login.py": (
                f'SUPPORT_TOKEN = "{token}"\n\n\n'
                "def check(stored, given):\n    return given == SUPPORT_TOKEN or stored == given\n"
            )
        },
        author=CAROL,
    )
    heads["feature/login-shortcut~1"] = first
    repo.commit(
        "Red tier needs one approval\n\nAssisted-by: none\n",
        {".vouched/policy.toml": DEMO_POLICY.replace("approvals = 2", "approvals = 1")},
        author=CAROL,
    )
    heads["feature/login-shortcut"] = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "main")
    return heads


def _reviews(path: Path, reviews: list[tuple[str, str, str]]) -> Path:
    body = [
        {
            "id": n,
            "user": {"login": login, "type": "User"},
            "state": state,
            "commit_id": commit,
            "submitted_at": f"2026-01-02T{10 + n:02d}:00:00Z",
        }
        for n, (login, state, commit) in enumerate(reviews)
    ]
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return path


def run_demo(keep: Path | None, *, color: bool, echo: Callable[[str], object]) -> None:
    if keep is not None and keep.exists():
        raise UsageError(f"{keep} already exists", hint="name a folder that does not exist yet")
    work = Path(tempfile.mkdtemp(prefix="vouched-demo-"))
    try:
        repo_dir = keep if keep is not None else work / "shop"
        heads = build_demo_repo(repo_dir)
        git = Git(repo_dir)
        pass_reviews = _reviews(
            work / "reviews-discounts.json", [("alice-archer", "APPROVED", heads["feature/discounts"])]
        )
        fail_reviews = _reviews(
            work / "reviews-login.json",
            [
                ("bob-baker", "APPROVED", heads["feature/login-shortcut~1"]),
                ("dave-diaz", "APPROVED", heads["feature/login-shortcut"]),
            ],
        )
        where = str(keep) if keep is not None else "a temporary folder (keep it with --keep DIR)"
        echo(f"Sample repository in {where}")
        echo("  people: alice (senior), bob (mid), carol (junior), dave (senior)")
        echo("  tiers:  green **, yellow src/**, red src/auth/** src/payments/** migrations/** .vouched/**")
        echo("")
        for branch, reviews, story in (
            (
                "feature/discounts",
                pass_reviews,
                "Bob (mid) and Claude change order totals (yellow); Alice approves.",
            ),
            (
                "feature/login-shortcut",
                fail_reviews,
                "Carol (junior) and Claude rewrite the login check (red) and relax the policy;\n"
                "# Bob approved an earlier push, Dave approves the latest.",
            ),
        ):
            echo(f"# {story}")
            echo(f"$ vouched check --base main --head {branch} --approvals {reviews.name}")
            verdict = judge(evaluate(git, "main", branch, [GitHubReviews(reviews)]), full_gate(git))
            echo(formatter("text", color=color).render(verdict).rstrip("\n"))
            echo(f"(exit code {0 if verdict.passed else 1})")
            echo("")
        if keep is not None:
            echo(f"The sample repository is kept in {keep}; try `vouched provenance --repo {keep}`.")
    finally:
        shutil.rmtree(work, ignore_errors=True)
