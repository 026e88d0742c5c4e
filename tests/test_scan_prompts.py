"""Review prompts: questions raised by what AI-assisted hunks touch, in every report format, never blocking."""

from __future__ import annotations

import json

import pytest

from vouched.demo import DEMO_PEOPLE, DEMO_POLICY
from vouched.gate.checks import CHECKS
from vouched.gate.engine import evaluate, judge
from vouched.gate.findings import Severity, Verdict
from vouched.git import Git, ScratchRepo
from vouched.report import formatter
from vouched.scan.prompts import MAX_PROMPTS, prompt_check, prompts_for_lines

from conftest import ALICE, BOB

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>\nAI-Rationale: reviewed"
API = "def charge(card, amount):\n    return card.pay(amount)\n\n\ndef refund(card):\n    return card.back()\n"


@pytest.fixture
def shop(repo: ScratchRepo) -> ScratchRepo:
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {".vouched/policy.toml": DEMO_POLICY, ".vouched/people.toml": DEMO_PEOPLE, "src/app/api.py": API},
        author=ALICE,
    )
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def verdict(repo: ScratchRepo) -> Verdict:
    git = Git(repo.path)
    return judge(evaluate(git, "main", "feature", None), (*CHECKS, prompt_check(git)))


def prompts(v: Verdict) -> list[tuple[str, str | None, int | None]]:
    out = []
    for f in v.findings:
        if f.rule == "review.prompt":
            assert f.severity is Severity.NOTE and not f.blocking
            out.append((f.message.split("]", 1)[0].lstrip("["), f.path, f.line))
    return out


@pytest.mark.parametrize(
    ("line", "category"),
    [
        ('    cur.execute(f"SELECT * FROM users WHERE id = {uid}")', "sql"),
        ("q = 'DELETE FROM t WHERE id = ' + uid", "sql"),
        ("digest = hashlib.sha256(pw).hexdigest()", "auth-crypto"),
        ("except Exception:", "exception"),
        ("except:", "exception"),
        ("} catch (e) {}", "exception"),
        ("r = requests.post(url, json=body)", "network"),
        ("data = await fetch(url)", "network"),
        ("rows = session.query(User).all()", "database"),
        ("with ThreadPoolExecutor() as pool:", "concurrency"),
        ("lock = threading.Lock()", "concurrency"),
        ("for item in request.json['items']:", "loop"),
        ("while True:", "loop"),
        ("with open(os.path.join(root, name)) as fh:", "files"),
        ("tar.extractall(dest)", "files"),
    ],
)
def test_each_category_is_raised_by_its_construct(line: str, category: str) -> None:
    assert category in prompts_for_lines([(1, line)])


@pytest.mark.parametrize(
    "line",
    [
        "x = compute(a, b)",
        "msg = f'selected {n} items'",
        "cur.execute('SELECT 1 FROM t', ())",
        "pass",
        "# open the door",
    ],
)
def test_plain_lines_raise_nothing_of_the_risky_kinds(line: str) -> None:
    found = prompts_for_lines([(1, line)])
    assert not {"sql", "exception", "network", "concurrency"} & set(found), found


def test_pass_counts_as_swallowing_only_after_an_except() -> None:
    assert prompts_for_lines([(1, "if x:"), (2, "    pass")]) == {}
    assert prompts_for_lines([(1, "except ValueError:"), (2, "    pass")])["exception"] == [2]


def test_only_ai_assisted_hunks_get_questions_placed_at_their_lines(shop: ScratchRepo) -> None:
    shop.commit(
        "human\n\nAssisted-by: none",
        {"src/app/net.py": "import requests\n\n\ndef ping(u):\n    return requests.get(u, timeout=2)\n"},
        author=BOB,
    )
    assert prompts(verdict(shop)) == []
    shop.commit(
        f"ai\n\n{CLAUDE}",
        {
            "src/app/store.py": "def load(cur, name):\n    try:\n"
            "        return cur.execute(f\"SELECT * FROM t WHERE n = '{name}'\")\n"
            "    except Exception:\n        pass\n"
        },
        author=BOB,
    )  # fmt: skip
    found = prompts(verdict(shop))
    assert found == [
        ("sql", "src/app/store.py", 3),
        ("exception", "src/app/store.py", 4),
        ("database", "src/app/store.py", 3),
    ]
    first = next(f for f in verdict(shop).findings if f.rule == "review.prompt")
    assert "AI-assisted (claude-code)" in first.message and first.commit == shop.git("rev-parse", "HEAD").strip()


def test_changed_and_removed_public_functions_raise_the_interface_question(shop: ScratchRepo) -> None:
    changed = API.replace("def charge(card, amount):", "def charge(card, amount, currency):")
    shop.commit(f"currency\n\n{CLAUDE}", {"src/app/api.py": changed}, author=BOB)
    assert ("interface", "src/app/api.py", 1) in prompts(verdict(shop))
    shop.commit(f"drop refund\n\n{CLAUDE}", {"src/app/api.py": changed.split("\n\n\ndef refund")[0] + "\n"}, author=BOB)
    found = [f for f in verdict(shop).findings if f.rule == "review.prompt" and "[interface]" in f.message]
    assert [(f.path, f.line) for f in found] == [("src/app/api.py", 1)]  # the changed signature comes first


def test_a_removed_function_is_named(shop: ScratchRepo) -> None:
    shop.commit(
        f"drop refund\n\n{CLAUDE}", {"src/app/api.py": API.split("\n\n\ndef refund")[0] + "\n# x\n"}, author=BOB
    )
    (found,) = [f for f in verdict(shop).findings if f.rule == "review.prompt" and "[interface]" in f.message]
    assert "removed refund" in found.message and found.line is None


def test_questions_are_capped_and_the_rest_counted(shop: ScratchRepo) -> None:
    files = {f"src/app/m{i}.py": "import requests\nrequests.get(u)\nwhile True:\n    open(p)\n" for i in range(6)}
    shop.commit(f"many\n\n{CLAUDE}", files, author=BOB)
    found = [f for f in verdict(shop).findings if f.rule == "review.prompt"]
    assert len(found) == MAX_PROMPTS + 1  # 6 files x (network, loop, files) = 18 questions
    (rest,) = [f for f in found if "more question(s)" in f.message]
    assert rest.message.startswith("6 more question(s)") and rest.path is None


def test_prompts_show_in_text_markdown_json_and_sarif_without_blocking(shop: ScratchRepo) -> None:
    shop.commit(f"net\n\n{CLAUDE}", {"docs/fetch.py": "import requests\nr = requests.get(url)\n"}, author=BOB)
    v = verdict(shop)
    assert prompts(v) == [("network", "docs/fetch.py", 2)]
    text = formatter("text").render(v)
    assert "Review questions on AI-assisted hunks (1)" in text
    section = text.split("Review questions on AI-assisted hunks (1)", 1)[1]
    assert "docs/fetch.py:2" in section and "why:" in section
    md = formatter("markdown").render(v)
    assert "### Questions for the reviewer of the AI-assisted hunks (1)" in md and "**Why:**" in md
    doc = json.loads(formatter("json").render(v))
    (item,) = [f for f in doc["findings"] if f["rule"] == "review.prompt"]
    assert item["severity"] == "note" and item["blocking"] is False and item["line"] == 2
    sarif = json.loads(formatter("sarif").render(v))
    assert any(r["ruleId"] == "review.prompt" for r in sarif["runs"][0]["results"])
