"""Commit-level markers: every assistant's marker, and the false positives that must not fire."""

from __future__ import annotations

import re

import pytest

from vouched.git import Git, ScratchRepo
from vouched.model import Commit
from vouched.provenance import Attribution, Marker, attribute, normalise_model, tool_for_agent
from vouched.provenance.markers import parse_assisted_by

HUMAN = ("Alice Archer", "alice@bank.example")
ACTIONS = "41898282+github-actions[bot]@users.noreply.github.com"


def make(
    repo: ScratchRepo,
    message: str,
    *,
    author: tuple[str, str] = HUMAN,
    committer: tuple[str, str] | None = None,
) -> Commit:
    """Commit for real and read the commit back the way vouched does."""
    sha = repo.commit(message, {"f.txt": message}, author=author, committer=committer or HUMAN)
    return next(Git(repo.path).iter_commits([f"{sha}^!"]))


def trailers(*lines: str) -> str:
    return "Change something\n\nWhy it changes.\n\n" + "\n".join(lines) + "\n"


# (id, message, author, committer, tools, models, evidence)
POSITIVE = [
    # Claude Code
    (
        "claude-coauthor",
        trailers("Co-Authored-By: Claude <noreply@anthropic.com>"),
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["trailer Co-Authored-By: Claude <noreply@anthropic.com>"],
    ),
    (
        "claude-coauthor-opus-model",
        trailers("Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>"),
        HUMAN,
        None,
        ["claude-code"],
        ["claude-opus-4-5"],
        ["trailer Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>"],
    ),
    (
        "claude-coauthor-sonnet-model",
        trailers("Co-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>"),
        HUMAN,
        None,
        ["claude-code"],
        ["claude-sonnet-4-5"],
        ["trailer Co-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>"],
    ),
    (
        "claude-coauthor-context-suffix",
        trailers("Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>"),
        HUMAN,
        None,
        ["claude-code"],
        ["claude-opus-4-6"],
        ["trailer Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>"],
    ),
    (
        "claude-code-name-no-model",
        trailers("Co-Authored-By: Claude Code <noreply@anthropic.com>"),
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["trailer Co-Authored-By: Claude Code <noreply@anthropic.com>"],
    ),
    (
        "claude-address",
        trailers("Co-authored-by: Claude <claude@anthropic.com>"),
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["trailer Co-authored-by: Claude <claude@anthropic.com>"],
    ),
    (
        "claude-no-reply-address",
        trailers("Co-authored-by: Claude <no-reply@anthropic.com>"),
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["trailer Co-authored-by: Claude <no-reply@anthropic.com>"],
    ),
    (
        "claude-bot-author",
        "Fix the bug\n",
        ("claude[bot]", "209825114+claude[bot]@users.noreply.github.com"),
        None,
        ["claude-code"],
        [],
        ["author claude[bot] <209825114+claude[bot]@users.noreply.github.com>"],
    ),
    (
        "claude-bot-committer",
        "Fix the bug\n",
        HUMAN,
        ("claude[bot]", "209825114+claude[bot]@users.noreply.github.com"),
        ["claude-code"],
        [],
        ["committer claude[bot] <209825114+claude[bot]@users.noreply.github.com>"],
    ),
    (
        "claude-bot-coauthor",
        trailers("Co-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>"),
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["trailer Co-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>"],
    ),
    (
        "claude-footer-claude-com",
        "Add parser\n\nDetails.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n",
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["footer Generated with [Claude Code]"],
    ),
    (
        "claude-footer-claude-ai",
        "Add parser\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n",
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["footer Generated with [Claude Code]"],
    ),
    (
        "claude-footer-no-emoji-no-link",
        "Add parser\n\nGenerated with Claude Code\n",
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["footer Generated with [Claude Code]"],
    ),
    (
        "claude-footer-and-coauthor",
        "Add parser\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
        "Co-Authored-By: Claude <noreply@anthropic.com>\n",
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["trailer Co-Authored-By: Claude <noreply@anthropic.com>", "footer Generated with [Claude Code]"],
    ),
    (
        "claude-session-trailer",
        trailers("Claude-Session: 5f0c0a43-2b8e-4c55-9d3b-0f6f3a7c1e21"),
        HUMAN,
        None,
        ["claude-code"],
        [],
        ["trailer Claude-Session: 5f0c0a43-2b8e-4c55-9d3b-0f6f3a7c1e21"],
    ),
    # GitHub Copilot
    (
        "copilot-swe-agent-author",
        "Implement the feature\n",
        ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"),
        None,
        ["copilot"],
        [],
        ["author copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>"],
    ),
    (
        "copilot-swe-agent-name-other-address",
        "Implement the feature\n",
        ("copilot-swe-agent[bot]", "copilot@agents.example"),
        None,
        ["copilot"],
        [],
        ["author copilot-swe-agent[bot] <copilot@agents.example>"],
    ),
    (
        "copilot-author-198982749",
        "Implement the feature\n",
        ("Copilot", "198982749+Copilot@users.noreply.github.com"),
        None,
        ["copilot"],
        [],
        ["author Copilot <198982749+Copilot@users.noreply.github.com>"],
    ),
    (
        "copilot-committer-175728472",
        "Implement the feature\n",
        HUMAN,
        ("Copilot", "175728472+Copilot@users.noreply.github.com"),
        ["copilot"],
        [],
        ["committer Copilot <175728472+Copilot@users.noreply.github.com>"],
    ),
    (
        "copilot-coauthor",
        trailers("Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"),
        HUMAN,
        None,
        ["copilot"],
        [],
        ["trailer Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"],
    ),
    (
        "copilot-coauthor-198982749",
        trailers("Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>"),
        HUMAN,
        None,
        ["copilot"],
        [],
        ["trailer Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>"],
    ),
    # Cursor
    (
        "cursor-agent-author",
        "Refactor\n",
        ("Cursor Agent", "cursoragent@cursor.com"),
        None,
        ["cursor"],
        [],
        ["author Cursor Agent <cursoragent@cursor.com>"],
    ),
    (
        "cursor-agent-coauthor",
        trailers("Co-authored-by: Cursor Agent <cursoragent@cursor.com>"),
        HUMAN,
        None,
        ["cursor"],
        [],
        ["trailer Co-authored-by: Cursor Agent <cursoragent@cursor.com>"],
    ),
    (
        "cursor-agent-coauthor-by-name",
        trailers("Co-authored-by: Cursor Agent <agent@cursor.sh>"),
        HUMAN,
        None,
        ["cursor"],
        [],
        ["trailer Co-authored-by: Cursor Agent <agent@cursor.sh>"],
    ),
    # Aider
    (
        "aider-author-suffix",
        "Add tests\n",
        ("Alice Archer (aider)", "alice@bank.example"),
        ("Alice Archer", "alice@bank.example"),
        ["aider"],
        [],
        ["author Alice Archer (aider) <alice@bank.example>"],
    ),
    (
        "aider-committer-suffix",
        "Add tests\n",
        HUMAN,
        ("Alice Archer (aider)", "alice@bank.example"),
        ["aider"],
        [],
        ["committer Alice Archer (aider) <alice@bank.example>"],
    ),
    (
        "aider-subject",
        "aider: Added the retry loop\n",
        HUMAN,
        None,
        ["aider"],
        [],
        ["subject aider: Added the retry loop"],
    ),
    (
        "aider-coauthor-with-model",
        trailers("Co-authored-by: aider (openai/gpt-4o) <aider@aider.chat>"),
        HUMAN,
        None,
        ["aider"],
        ["gpt-4o"],
        ["trailer Co-authored-by: aider (openai/gpt-4o) <aider@aider.chat>"],
    ),
    (
        "aider-coauthor-plain",
        trailers("Co-authored-by: aider <aider@aider.chat>"),
        HUMAN,
        None,
        ["aider"],
        [],
        ["trailer Co-authored-by: aider <aider@aider.chat>"],
    ),
    # OpenAI Codex
    (
        "codex-coauthor",
        trailers("Co-authored-by: Codex <noreply@openai.com>"),
        HUMAN,
        None,
        ["codex"],
        [],
        ["trailer Co-authored-by: Codex <noreply@openai.com>"],
    ),
    (
        "codex-connector-bot",
        "Fix flaky test\n",
        ("chatgpt-codex-connector[bot]", "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com"),
        None,
        ["codex"],
        [],
        ["author chatgpt-codex-connector[bot] <199175422+chatgpt-codex-connector[bot]@users.noreply.github.com>"],
    ),
    # Devin, Jules, OpenHands
    (
        "devin-bot",
        "Upgrade dependency\n",
        ("devin-ai-integration[bot]", "158243242+devin-ai-integration[bot]@users.noreply.github.com"),
        None,
        ["devin"],
        [],
        ["author devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>"],
    ),
    (
        "jules-bot",
        "Add docs\n",
        ("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"),
        None,
        ["jules"],
        [],
        ["author google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>"],
    ),
    (
        "openhands-author",
        "Fix issue 12\n",
        ("openhands", "openhands@all-hands.dev"),
        None,
        ["openhands"],
        [],
        ["author openhands <openhands@all-hands.dev>"],
    ),
    (
        "openhands-coauthor",
        trailers("Co-authored-by: openhands <openhands@all-hands.dev>"),
        HUMAN,
        None,
        ["openhands"],
        [],
        ["trailer Co-authored-by: openhands <openhands@all-hands.dev>"],
    ),
    # Gemini
    (
        "gemini-code-assist-bot",
        "Apply suggestion\n",
        ("gemini-code-assist[bot]", "176961590+gemini-code-assist[bot]@users.noreply.github.com"),
        None,
        ["gemini"],
        [],
        ["author gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>"],
    ),
    (
        "gemini-coauthor-google",
        trailers("Co-authored-by: Gemini <gemini@google.com>"),
        HUMAN,
        None,
        ["gemini"],
        [],
        ["trailer Co-authored-by: Gemini <gemini@google.com>"],
    ),
    (
        "gemini-coauthor-with-model",
        trailers("Co-authored-by: Gemini 2.5 Pro <gemini-cli@google.com>"),
        HUMAN,
        None,
        ["gemini"],
        ["gemini-2-5-pro"],
        ["trailer Co-authored-by: Gemini 2.5 Pro <gemini-cli@google.com>"],
    ),
    (
        "gemini-cli-author",
        "Add flag\n",
        ("Gemini CLI", "gemini-cli@example.dev"),
        None,
        ["gemini"],
        [],
        ["author Gemini CLI <gemini-cli@example.dev>"],
    ),
    (
        "gemini-cli-coauthor",
        trailers("Co-authored-by: Gemini CLI <noreply@example.dev>"),
        HUMAN,
        None,
        ["gemini"],
        [],
        ["trailer Co-authored-by: Gemini CLI <noreply@example.dev>"],
    ),
    # Amazon Q
    (
        "amazon-q-bot",
        "Transform code\n",
        ("amazon-q-developer[bot]", "208079219+amazon-q-developer[bot]@users.noreply.github.com"),
        None,
        ["amazon-q"],
        [],
        ["author amazon-q-developer[bot] <208079219+amazon-q-developer[bot]@users.noreply.github.com>"],
    ),
    (
        "amazon-q-coauthor",
        trailers("Co-authored-by: Amazon Q <amazon-q@amazon.com>"),
        HUMAN,
        None,
        ["amazon-q"],
        [],
        ["trailer Co-authored-by: Amazon Q <amazon-q@amazon.com>"],
    ),
    # Replit, Warp
    (
        "replit-agent",
        trailers("Replit-Commit-Author: Agent", "Replit-Commit-Session-Id: 1234"),
        HUMAN,
        None,
        ["replit"],
        [],
        ["trailer Replit-Commit-Author: Agent"],
    ),
    (
        "replit-assistant",
        trailers("Replit-Commit-Author: Assistant"),
        HUMAN,
        None,
        ["replit"],
        [],
        ["trailer Replit-Commit-Author: Assistant"],
    ),
    (
        "warp-coauthor",
        trailers("Co-Authored-By: Warp <agent@warp.dev>"),
        HUMAN,
        None,
        ["warp"],
        [],
        ["trailer Co-Authored-By: Warp <agent@warp.dev>"],
    ),
    # Assisted-by (the contract)
    (
        "assisted-by-claude",
        trailers("Assisted-by: Claude:claude-opus-4-5"),
        HUMAN,
        None,
        ["claude-code"],
        ["claude-opus-4-5"],
        ["trailer Assisted-by: Claude:claude-opus-4-5"],
    ),
    (
        "assisted-by-with-tools",
        trailers("Assisted-by: Claude:claude-3-opus coccinelle sparse"),
        HUMAN,
        None,
        ["claude-code"],
        ["claude-3-opus"],
        ["trailer Assisted-by: Claude:claude-3-opus coccinelle sparse"],
    ),
    (
        "assisted-by-with-bracketed-tools",
        trailers("Assisted-by: Claude Code:claude-sonnet-4-5 [coccinelle] [sparse]"),
        HUMAN,
        None,
        ["claude-code"],
        ["claude-sonnet-4-5"],
        ["trailer Assisted-by: Claude Code:claude-sonnet-4-5 [coccinelle] [sparse]"],
    ),
    (
        "assisted-by-github-copilot",
        trailers("Assisted-by: GitHub Copilot:gpt-4.1"),
        HUMAN,
        None,
        ["copilot"],
        ["gpt-4-1"],
        ["trailer Assisted-by: GitHub Copilot:gpt-4.1"],
    ),
    (
        "assisted-by-unknown-agent",
        trailers("Assisted-by: Bank Helper:bh-7"),
        HUMAN,
        None,
        ["bank helper"],
        ["bh-7"],
        ["trailer Assisted-by: Bank Helper:bh-7"],
    ),
    (
        "assisted-by-agent-only",
        trailers("Assisted-by: Cursor"),
        HUMAN,
        None,
        ["cursor"],
        [],
        ["trailer Assisted-by: Cursor"],
    ),
    (
        "assisted-by-several",
        trailers("Assisted-by: Claude:claude-opus-4-5", "Assisted-by: Gemini:gemini-2.5-pro"),
        HUMAN,
        None,
        ["claude-code", "gemini"],
        ["claude-opus-4-5", "gemini-2-5-pro"],
        ["trailer Assisted-by: Claude:claude-opus-4-5", "trailer Assisted-by: Gemini:gemini-2.5-pro"],
    ),
    (
        "assisted-by-and-coauthor-deduplicated",
        trailers("Assisted-by: Claude:claude-opus-4-5", "Co-Authored-By: Claude <noreply@anthropic.com>"),
        HUMAN,
        None,
        ["claude-code"],
        ["claude-opus-4-5"],
        [
            "trailer Assisted-by: Claude:claude-opus-4-5",
            "trailer Co-Authored-By: Claude <noreply@anthropic.com>",
        ],
    ),
    (
        "assisted-by-lower-case-key",
        trailers("assisted-by: codex:gpt-5-codex"),
        HUMAN,
        None,
        ["codex"],
        ["gpt-5-codex"],
        ["trailer assisted-by: codex:gpt-5-codex"],
    ),
]


@pytest.mark.parametrize(
    ("message", "author", "committer", "tools", "models", "evidence"),
    [pytest.param(*case[1:], id=case[0]) for case in POSITIVE],
)
def test_marker_is_recognised(
    repo: ScratchRepo,
    message: str,
    author: tuple[str, str],
    committer: tuple[str, str] | None,
    tools: list[str],
    models: list[str],
    evidence: list[str],
) -> None:
    got = attribute(make(repo, message, author=author, committer=committer))
    assert got == Attribution(True, True, tuple(tools), tuple(models), tuple(evidence))


NEGATIVE = [
    ("nothing", "Fix the parser\n\nA plain human commit.\n", HUMAN, None),
    ("human-named-claude-author", "Paint water lilies\n", ("Claude Monet", "claude@monet.example"), None),
    (
        "human-named-claude-coauthor",
        trailers("Co-authored-by: Claude Monet <claude@monet.example>"),
        HUMAN,
        None,
    ),
    ("human-named-claude-no-address", trailers("Co-authored-by: Claude"), HUMAN, None),
    ("actions-bot-named-copilot", "Bump version\n", ("Copilot", ACTIONS), None),
    ("actions-bot-named-claude", "Bump version\n", ("Claude", ACTIONS), None),
    ("actions-bot-named-claude-bot", "Bump version\n", ("claude[bot]", ACTIONS), None),
    ("actions-bot-committer-named-copilot", "Bump version\n", HUMAN, ("Copilot", ACTIONS)),
    ("actions-bot-coauthor-named-copilot", trailers(f"Co-authored-by: Copilot <{ACTIONS}>"), HUMAN, None),
    (
        "prose-mentions",
        "Tidy up\n\nCopilot suggested this and Claude reviewed it; Cursor and aider were not used.\n"
        "We do not use Claude Code here.\n",
        HUMAN,
        None,
    ),
    (
        "prose-quotes-footer",
        "Document markers\n\nThe footer 'Generated with [Claude Code]' marks assisted commits.\n",
        HUMAN,
        None,
    ),
    ("human-coauthor", trailers("Co-authored-by: Bob Baker <bob@bank.example>"), HUMAN, None),
    (
        "other-trailers",
        trailers("Signed-off-by: Alice Archer <alice@bank.example>", "Refs: #12"),
        HUMAN,
        None,
    ),
    ("replit-user", trailers("Replit-Commit-Author: User"), HUMAN, None),
    ("human-named-cursor-agent-author", "Refactor\n", ("Cursor Agent", "cursor.agent@bank.example"), None),
    (
        "gemini-coauthor-not-google",
        trailers("Co-authored-by: Gemini Smith <gemini@bank.example>"),
        HUMAN,
        None,
    ),
    ("amazon-q-coauthor-not-amazon", trailers("Co-authored-by: Amazon Quinn <aq@bank.example>"), HUMAN, None),
    ("aider-in-subject-middle", "Remove aider: config\n", HUMAN, None),
    ("human-github-noreply", "Fix\n", ("Alice Archer", "12345+alice@users.noreply.github.com"), None),
    (
        "trailer-in-body-not-trailer-block",
        "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nis what we avoid here.\n\nDone.\n",
        HUMAN,
        None,
    ),
]


@pytest.mark.parametrize(
    ("message", "author", "committer"),
    [pytest.param(*case[1:], id=case[0]) for case in NEGATIVE],
)
def test_false_positive_is_not_a_marker(
    repo: ScratchRepo, message: str, author: tuple[str, str], committer: tuple[str, str] | None
) -> None:
    assert attribute(make(repo, message, author=author, committer=committer)) == Attribution()


def test_assisted_by_none_declares_without_assistance(repo: ScratchRepo) -> None:
    got = attribute(make(repo, trailers("Assisted-by: none")))
    assert got == Attribution(False, True, (), (), ("trailer Assisted-by: none",))


def test_assisted_by_none_and_a_marker_keeps_both(repo: ScratchRepo) -> None:
    got = attribute(make(repo, trailers("Assisted-by: None", "Co-Authored-By: Claude <noreply@anthropic.com>")))
    assert got.assisted and got.declared
    assert got.tools == ("claude-code",)
    assert got.evidence == (
        "trailer Assisted-by: None",
        "trailer Co-Authored-By: Claude <noreply@anthropic.com>",
    )


def test_tools_and_models_are_sorted_and_unique(repo: ScratchRepo) -> None:
    message = trailers(
        "Co-authored-by: Warp <agent@warp.dev>",
        "Assisted-by: Claude:claude-opus-4-5",
        "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>",
        "Assisted-by: aider:openai/gpt-4o",
    )
    got = attribute(make(repo, message, author=("Cursor Agent", "cursoragent@cursor.com")))
    assert got.tools == ("aider", "claude-code", "cursor", "warp")
    assert got.models == ("claude-opus-4-5", "gpt-4o")
    assert got.evidence[0] == "author Cursor Agent <cursoragent@cursor.com>"
    assert len(got.evidence) == len(set(got.evidence)) == 5


def test_author_and_committer_both_reported(repo: ScratchRepo) -> None:
    bot = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
    got = attribute(make(repo, "Implement\n", author=bot, committer=bot))
    assert got.evidence == (
        "author copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
        "committer copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
    )


def test_email_match_ignores_case(repo: ScratchRepo) -> None:
    got = attribute(make(repo, trailers("Co-Authored-By: Claude <NoReply@Anthropic.com>")))
    assert got.tools == ("claude-code",)


def test_nothing_found_is_the_empty_attribution(repo: ScratchRepo) -> None:
    got = attribute(make(repo, "Plain\n"))
    assert got == Attribution()
    assert got.to_json() == {"assisted": False, "declared": False, "tools": [], "models": [], "evidence": []}


# -- policy markers ----------------------------------------------------------------------------------


def test_policy_marker_trailer_is_case_insensitive(repo: ScratchRepo) -> None:
    marker = Marker(tool="Bank-LLM", trailer="X-Bank-LLM")
    got = attribute(make(repo, trailers("x-bank-llm: internal-7b")), [marker])
    assert got == Attribution(True, True, ("bank-llm",), (), ("trailer x-bank-llm: internal-7b",))


def test_policy_marker_email(repo: ScratchRepo) -> None:
    marker = Marker(tool="bank-llm", email=re.compile(r"@llm\.bank\.example$"))
    got = attribute(make(repo, "Generated\n", author=("Bank LLM", "svc@llm.bank.example")), [marker])
    assert got == Attribution(True, True, ("bank-llm",), (), ("author Bank LLM <svc@llm.bank.example>",))


def test_policy_marker_email_in_coauthor(repo: ScratchRepo) -> None:
    marker = Marker(tool="bank-llm", email=re.compile(r"@llm\.bank\.example$"))
    message = trailers("Co-authored-by: Bank LLM <svc@llm.bank.example>")
    got = attribute(make(repo, message), [marker])
    assert got.tools == ("bank-llm",)
    assert got.evidence == ("trailer Co-authored-by: Bank LLM <svc@llm.bank.example>",)


def test_policy_marker_name(repo: ScratchRepo) -> None:
    marker = Marker(tool="bank-llm", name=re.compile(r"\bBankBot\b"))
    got = attribute(make(repo, "Generated\n", committer=("BankBot", "ci@bank.example")), [marker])
    assert got.tools == ("bank-llm",)
    assert got.evidence == ("committer BankBot <ci@bank.example>",)


def test_policy_marker_message(repo: ScratchRepo) -> None:
    marker = Marker(tool="bank-llm", message=re.compile(r"\[llm-generated\]"))
    got = attribute(make(repo, "Add report [llm-generated]\n"), [marker])
    assert got == Attribution(True, True, ("bank-llm",), (), ("message [llm-generated]",))


def test_policy_marker_does_not_fire_without_a_match(repo: ScratchRepo) -> None:
    markers = [
        Marker(tool="bank-llm", trailer="X-Bank-LLM", email=re.compile("llm"), message=re.compile("LLM!")),
    ]
    assert attribute(make(repo, trailers("Signed-off-by: A <a@b.example>")), markers) == Attribution()


def test_policy_markers_add_to_builtin_markers(repo: ScratchRepo) -> None:
    marker = Marker(tool="bank-llm", trailer="X-Bank-LLM")
    message = trailers("X-Bank-LLM: yes", "Co-Authored-By: Claude <noreply@anthropic.com>")
    got = attribute(make(repo, message), [marker])
    assert got.tools == ("bank-llm", "claude-code")


def test_marker_normalises_its_tool() -> None:
    assert Marker(tool="  Bank LLM ").tool == "bank llm"
    with pytest.raises(ValueError, match="tool id"):
        Marker(tool="  ")


# -- helpers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("Claude Opus 4.5", "claude-opus-4-5"),
        ("claude-opus-4-5", "claude-opus-4-5"),
        ("anthropic/claude-opus-4-5-20251101", "claude-opus-4-5-20251101"),
        ("openai/gpt-4o", "gpt-4o"),
        ("claude-4.5-opus", "claude-4-5-opus"),
        (" GPT 4.1 ", "gpt-4-1"),
        ("gemini-2.5-pro", "gemini-2-5-pro"),
        ("", ""),
    ],
)
def test_normalise_model(text: str, model: str) -> None:
    assert normalise_model(text) == model


@pytest.mark.parametrize(
    ("agent", "tool"),
    [
        ("Claude", "claude-code"),
        ("claude code", "claude-code"),
        ("Claude_Code", "claude-code"),
        ("GitHub Copilot", "copilot"),
        ("copilot", "copilot"),
        ("Cursor", "cursor"),
        ("OpenAI Codex", "codex"),
        ("Gemini CLI", "gemini"),
        ("Amazon Q Developer", "amazon-q"),
        ("OpenHands", "openhands"),
        ("Jules", "jules"),
        ("Devin", "devin"),
        ("Replit Agent", "replit"),
        ("Warp", "warp"),
        ("aider", "aider"),
        ("Some  New   Agent", "some new agent"),
    ],
)
def test_tool_for_agent(agent: str, tool: str) -> None:
    assert tool_for_agent(agent) == tool


def test_parse_assisted_by_forms() -> None:
    parsed = parse_assisted_by("Claude:claude-3-opus coccinelle [sparse]")
    assert parsed is not None
    assert (parsed.none, parsed.tool, parsed.model, parsed.tools) == (
        False,
        "claude-code",
        "claude-3-opus",
        ("coccinelle", "sparse"),
    )
    none = parse_assisted_by("  NONE ")
    assert none is not None and none.none and none.tool is None
    assert parse_assisted_by("   ") is None
    assert parse_assisted_by(":") is None
    ident = parse_assisted_by("Claude <noreply@anthropic.com>")
    assert ident is not None and ident.tool == "claude-code"
