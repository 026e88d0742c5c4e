"""The shipped popular-package lists and their loader."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from vouched.deps.popularity import load_popularity, normalise_for_popularity, parse_popularity
from vouched.errors import InputError


def test_shipped_lists_load() -> None:
    pypi = load_popularity("PyPI")
    npm = load_popularity("npm")
    assert len(pypi) == 14985 and len(npm) == 15000
    assert pypi.rank("boto3") == 1 and pypi.rank("Boto3") == 1
    assert pypi.rank("python_dateutil") == pypi.rank("python-dateutil") is not None
    assert pypi.downloads_of("boto3") is None and pypi.score("boto3") == 1.0
    assert npm.rank("semver") == 1 and npm.downloads_of("semver") == 2399072936
    assert "left-pad" not in pypi and pypi.rank("surely-not-a-popular-package") is None
    assert load_popularity("PyPI") is pypi  # parsed once per process


def test_shipped_lists_are_the_package_data() -> None:
    for name in ("pypi-top.tsv", "npm-top.tsv", "squat-allowlist.tsv"):
        assert resources.files("vouched.deps").joinpath("data", name).is_file()


def test_load_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "top.tsv"
    path.write_text("# comment\n1\tFoo_Bar\n2\tfoo.bar\n3\tbaz\n", encoding="utf-8")
    pop = load_popularity("PyPI", path)
    assert pop.names == ("foo-bar", "baz")  # two spellings of one project: the better rank stands
    assert pop.rank("baz") == 3


@pytest.mark.parametrize("line", ["x\tfoo", "1", "1\t", "1\tfoo\tmany", "1\ta\tb\tc"])
def test_malformed_lines(line: str) -> None:
    with pytest.raises(InputError, match=r"inline:2"):
        parse_popularity("npm", f"1\tok\n{line}\n", "inline")


def test_unknown_ecosystem() -> None:
    with pytest.raises(InputError):
        load_popularity("Maven")  # type: ignore[arg-type]


def test_normalise() -> None:
    assert normalise_for_popularity("PyPI", "A._-B") == "a-b"
    assert normalise_for_popularity("npm", "@Scope/Pkg_x") == "@scope/pkg_x"
