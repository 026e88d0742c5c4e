"""Shared fixtures: real git repositories in temporary folders, pinned identities and dates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vouched.git import ScratchRepo

ALICE = ("Alice Archer", "alice@bank.example")  # senior
BOB = ("Bob Baker", "bob@bank.example")  # mid
CAROL = ("Carol Chen", "carol@bank.example")  # junior
DAVE = ("Dave Diaz", "dave@bank.example")  # senior
STRANGER = ("Sam Stranger", "sam@elsewhere.example")  # not in people.toml


@pytest.fixture(autouse=True)
def _isolated_git_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never read the developer's own git configuration; never pick up a hook's GIT_DIR."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    # ast-grep is Rust: with RUST_BACKTRACE set, every pattern error captures a backtrace (3x slower tests).
    monkeypatch.setenv("RUST_BACKTRACE", "0")


@pytest.fixture
def repo(tmp_path: Path) -> ScratchRepo:
    return ScratchRepo(tmp_path / "repo")
