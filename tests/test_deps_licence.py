"""Licences against the policy's allow and deny lists: SPDX expressions (AND, OR, WITH, parentheses),
registry licence names, unknown licences; and properties over generated expressions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.deps.audit import licence_problem
from vouched.policy.model import DepsPolicy


@pytest.mark.parametrize(
    ("licence", "allow", "deny", "problem"),
    [
        ("MIT", (), (), None),
        (None, (), (), None),  # no licence policy: nothing to check
        ("MIT", ("MIT",), (), None),
        ("mit", ("MIT",), (), None),  # SPDX ids compare case-insensitively
        ("Apache-2.0", ("MIT",), (), "not in the policy's allow list"),
        ("MIT OR GPL-3.0-only", (), ("GPL-3.0-only",), None),  # the MIT alternative is fine
        ("MIT AND GPL-3.0-only", (), ("GPL-3.0-only",), "denied by the policy (GPL-3.0-only)"),
        ("(MIT OR Apache-2.0) AND BSD-3-Clause", ("MIT", "BSD-3-Clause"), (), None),
        ("(MIT OR Apache-2.0) AND BSD-3-Clause", ("Apache-2.0",), (), "not in the policy's allow list"),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", (), ("GPL-2.0-or-later",), "denied"),
        ("GPL-2.0+", (), ("GPL-2.0",), "denied"),
        ("MIT License", ("MIT",), (), None),  # a registry's licence name that means one SPDX id
        (None, ("MIT",), (), "licence is unknown"),
        ("", (), ("GPL-3.0-only",), "licence is unknown"),
        ("(MIT", ("MIT",), (), "not an SPDX expression"),
        ("Some Custom Licence", (), ("GPL-3.0-only",), None),  # cannot be a denied id
        ("GPL-3.0-only", (), ("gpl-3.0-only",), "denied"),
    ],
)
def test_licence_cases(licence: str | None, allow: tuple[str, ...], deny: tuple[str, ...], problem: str | None) -> None:
    found = licence_problem(licence, DepsPolicy(licence_allow=allow, licence_deny=deny))
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


IDS = ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-3.0-only", "ISC", "MPL-2.0"]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 2) -> tuple[str, list[str]]:
    if depth == 0 or draw(st.booleans()):
        ident = draw(st.sampled_from(IDS))
        return ident, [ident]
    left, lids = draw(expressions(depth - 1))
    right, rids = draw(expressions(depth - 1))
    op = draw(st.sampled_from(["AND", "OR"]))
    return f"({left} {op} {right})", lids + rids


@settings(max_examples=150)
@given(expressions(), st.lists(st.sampled_from(IDS), max_size=3), st.lists(st.sampled_from(IDS), max_size=3))
def test_expressions_against_lists(expr: tuple[str, list[str]], allow: list[str], deny: list[str]) -> None:
    text, ids = expr
    allow = [a for a in allow if a not in deny]
    if allow or deny:
        everything = licence_problem(text, DepsPolicy(licence_allow=tuple(ids)))
        assert everything is None  # every id allowed: fine
        nothing = licence_problem(text, DepsPolicy(licence_deny=tuple(ids)))
        assert nothing is not None and "denied" in nothing  # every id denied: no way out
    licence_problem(text, DepsPolicy(licence_allow=tuple(allow), licence_deny=tuple(deny)))


@settings(max_examples=150)
@given(st.text(max_size=40))
def test_any_licence_text_is_judged_without_crashing(text: str) -> None:
    result = licence_problem(text, DepsPolicy(licence_allow=("MIT",), licence_deny=("GPL-3.0-only",)))
    assert result is None or isinstance(result, str)
