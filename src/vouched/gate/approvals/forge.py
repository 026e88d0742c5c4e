"""Approvals from a forge export: the JSON that GitHub's pull-request reviews API returns.

Produce it with ``gh api repos/OWNER/REPO/pulls/N/reviews --paginate > reviews.json``. ``--paginate``
concatenates one JSON array per page; both that and a single array are read. Each review needs
``user.login``, ``state`` and ``commit_id``; ``submitted_at`` orders them (API order breaks ties).

GitHub's own rule decides which review stands: a reviewer's latest APPROVED, CHANGES_REQUESTED or
DISMISSED review; a later COMMENTED review does not withdraw an approval; PENDING reviews are drafts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vouched.errors import InputError
from vouched.gate.approvals.interface import Approval, ApprovalSource

if TYPE_CHECKING:
    from vouched.policy import People, Person

__all__ = ["GitHubReviews", "parse_github_reviews"]

_DECISIVE = {"APPROVED", "CHANGES_REQUESTED", "DISMISSED"}
_KNOWN = _DECISIVE | {"COMMENTED", "PENDING"}


class GitHubReviews(ApprovalSource):
    name = "github-reviews"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"approvals file {self.path} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read approvals file {self.path}: {exc}") from None
        self._approvals = parse_github_reviews(text, str(self.path))

    def approvals(self) -> list[Approval]:
        return list(self._approvals)

    def person(self, approval: Approval, people: People) -> Person | None:
        return people.by_github(approval.reviewer)


def _pages(text: str, origin: str) -> list[Any]:
    decoder = json.JSONDecoder()
    pos, items = 0, []
    text = text.strip()
    if not text:
        raise InputError(f"{origin}: the approvals file is empty", hint=_HINT)
    while pos < len(text):
        try:
            page, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise InputError(f"{origin}: not JSON ({exc.msg} at line {exc.lineno})", hint=_HINT) from None
        if not isinstance(page, list):
            kind = type(page).__name__
            raise InputError(f"{origin}: expected a JSON list of reviews, got {kind}", hint=_HINT)
        items.extend(page)
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return items


_HINT = "export the reviews with `gh api repos/OWNER/REPO/pulls/N/reviews --paginate > reviews.json`"


def parse_github_reviews(text: str, origin: str = "approvals") -> list[Approval]:
    """Each reviewer's standing decision, from the reviews API's JSON (one or more concatenated pages)."""
    reviews = _pages(text, origin)
    latest: dict[str, tuple[str, int, dict[str, Any]]] = {}
    for index, review in enumerate(reviews):
        where = f"{origin}: review {index + 1}"
        if not isinstance(review, dict):
            raise InputError(f"{where} is not an object", hint=_HINT)
        user = review.get("user")
        login = user.get("login") if isinstance(user, dict) else None
        state = review.get("state")
        commit = review.get("commit_id")
        submitted = review.get("submitted_at") or ""
        if not isinstance(login, str) or not login:
            if user is None:
                continue  # a review by a deleted ("ghost") account: nobody to count
            raise InputError(f"{where} has no user.login", hint=_HINT)
        if not isinstance(state, str) or state.upper() not in _KNOWN:
            raise InputError(f"{where} has an unknown state {state!r}", hint=_HINT)
        if commit is not None and not isinstance(commit, str):
            raise InputError(f"{where} has a commit_id that is not a string", hint=_HINT)
        if not isinstance(submitted, str):
            raise InputError(f"{where} has a submitted_at that is not a string", hint=_HINT)
        state = state.upper()
        if state not in _DECISIVE:
            continue
        key = login.lower()
        previous = latest.get(key)
        if previous is None or (submitted, index) >= (previous[0], previous[1]):
            latest[key] = (submitted, index, {"login": login, "state": state, "commit": commit})
    return [
        Approval(
            reviewer=entry["login"],
            approved=entry["state"] == "APPROVED",
            commit=entry["commit"],
            submitted_at=submitted,
            source=GitHubReviews.name,
            signed=False,
            state=entry["state"],
        )
        for submitted, _, entry in sorted(latest.values(), key=lambda v: (v[0], v[1]))
    ]
