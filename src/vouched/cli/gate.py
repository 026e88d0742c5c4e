"""Commands of the gate: check, provenance, policy check, tier, init, demo."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from vouched.cli._app import EXIT_FINDINGS, EXIT_OK, _git, _repo_option, _use_color, _write, cli
from vouched.cli._options import base_option, color_option, format_option, head_option
from vouched.errors import UsageError

# -- check ------------------------------------------------------------------------------------------


@cli.command()
@_repo_option
@base_option(
    "The revision the change will merge into; its policy and roster judge the change. "
    "Default: the repository's default branch (origin/HEAD, origin/main, main, ...)."
)
@head_option
@click.option(
    "--approvals",
    "approvals_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reviews exported from GitHub: `gh api repos/OWNER/REPO/pulls/N/reviews --paginate`.",
)
@format_option("Report format.")
@click.option(
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@color_option
@click.option(
    "--db",
    "db_path",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The advisory database for the dependency gate (default: $XDG_DATA_HOME/vouched/advisories.sqlite3).",
)
@click.option("--offline", is_flag=True, help="Dependency gate: ask no registry, use vouched's cache only.")
@click.option(
    "--coverage",
    "coverage_files",
    metavar="FILE",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A test coverage report of the head (coverage.py JSON or XML, Cobertura XML, LCOV); repeatable.",
)
def check(
    repo: Path,
    base: str | None,
    head: str,
    approvals_file: Path | None,
    fmt: str,
    output: Path | None,
    color: bool | None,
    db_path: Path | None,
    offline: bool,
    coverage_files: tuple[Path, ...],
) -> int:
    """Judge the change BASE...HEAD and print the verdict with its reasons.

    Exit 0 when the change passes, 1 when a blocking finding stops it.
    """
    from vouched.deps.gate import DepsOptions
    from vouched.gate.approvals import ApprovalSource, GitHubReviews
    from vouched.gate.engine import evaluate, judge
    from vouched.report import formatter

    git = _git(repo)
    if base is None:
        base = git.default_branch()
        if base is None:
            raise UsageError(
                "cannot tell which branch this change merges into",
                hint="pass --base REV (for a pull request, its target branch, e.g. --base origin/main)",
            )
    sources: list[ApprovalSource] | None = None
    if approvals_file is not None:
        sources = [GitHubReviews(approvals_file)]
    from vouched.gate.suite import full_gate
    from vouched.scan.coverage import read_report

    reports = [read_report(p) for p in coverage_files]  # a malformed report stops here, exit 2
    options = DepsOptions(
        db_path=db_path, offline=offline, pypi_url=_env("VOUCHED_PYPI_URL"), npm_url=_env("VOUCHED_NPM_URL")
    )
    verdict = judge(evaluate(git, base, head, sources), full_gate(git, coverage=reports, deps=options))
    colored = output is None and fmt == "text" and _use_color(color, sys.stdout)
    text = formatter(fmt, color=colored).render(verdict)
    if output is None:
        # click strips colour codes when stdout is not a terminal unless told the colour is wanted.
        click.echo(text, nl=not text.endswith("\n"), color=colored)
    else:
        _write(output, text)
        status = "PASS" if verdict.passed else "FAIL"
        click.echo(f"vouched: {status}; {fmt} report written to {output}", err=True)
    return EXIT_OK if verdict.passed else EXIT_FINDINGS


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


# -- provenance -------------------------------------------------------------------------------------


@cli.command()
@click.argument("revision_range", metavar="[RANGE]", required=False, default="HEAD")
@_repo_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
    help="Output format: jsonl is one record a line, as the contract describes.",
)
def provenance(revision_range: str, repo: Path, fmt: str) -> int:
    """Say, for every commit in RANGE, whether an AI assistant was involved, which, and the evidence.

    RANGE is what `git log` takes (`main..feature`, `v1.2..HEAD`, a single revision); the default
    is every commit reachable from HEAD, merges included.
    """
    from vouched.policy import markers_at
    from vouched.provenance import Provenance
    from vouched.report.provenance import render_provenance

    git = _git(repo)
    revs = revision_range.split()
    if not revs or any(r.startswith("-") for r in revs):
        raise UsageError(f"not a revision range: {revision_range!r}", hint="for example main..HEAD")
    if git.is_shallow():
        git.check_complete(git.rev_list(*revs), revision_range)
    markers = markers_at(git, "HEAD")
    prov = Provenance(git, markers)
    records = ((c, prov.attribute(c)) for c in git.iter_commits(revs))
    render_provenance(records, fmt, sys.stdout)
    for problem in prov.problems:
        click.echo(f"vouched: warning: {problem}", err=True)
    return EXIT_FINDINGS if prov.problems else EXIT_OK


# -- policy -----------------------------------------------------------------------------------------


@cli.group()
def policy() -> None:
    """Validate the policy and the roster of people."""


@policy.command("check")
@_repo_option
@click.option(
    "--rev",
    metavar="REV",
    help="Check the files committed at REV instead of the ones in the working tree.",
)
def policy_check(repo: Path, rev: str | None) -> int:
    """Validate .vouched/policy.toml and .vouched/people.toml; report every mistake with file, line and key."""
    from vouched.policy import load_sources

    pol, people = load_sources(_git(repo), rev)
    levels = " < ".join(pol.levels)
    tiers = ", ".join(t.name for t in pol.tiers)
    click.echo(f"ok: {pol.file}: version {pol.version}, levels {levels}, tiers {tiers} ({pol.digest[:19]})")
    click.echo(f"ok: {people.file}: {len(people.persons)} people")
    return EXIT_OK


# -- tier -------------------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True)
@_repo_option
@click.option("--rev", metavar="REV", help="Use the policy committed at REV (default: the working tree's).")
def tier(paths: tuple[str, ...], repo: Path, rev: str | None) -> int:
    """Explain which tier each PATH takes, and which pattern or content rule put it there.

    PATH is relative to the repository root. A file present in the working tree is also matched
    against the tiers' content rules, line by line.
    """
    from vouched.git import display
    from vouched.policy import load_sources

    git = _git(repo)
    pol, _ = load_sources(git, rev)
    root = Path(repo)
    width = max(len(p) for p in paths)
    tier_width = max(len(t.name) for t in pol.tiers)
    for path in paths:
        rel = path.replace(os.sep, "/").lstrip("/")
        lines: list[tuple[int, str]] = []
        file = root / rel
        if rev is None and file.is_file():
            data = file.read_bytes()
            if b"\0" not in data[:8192]:
                text = data.decode("utf-8", "replace")
                lines = list(enumerate(text.splitlines(), start=1))
        match = pol.resolve(rel, lines)
        click.echo(f"{display(rel):<{width}}  {match.tier.name:<{tier_width}}  {match.reason}")
    return EXIT_OK


# -- init -------------------------------------------------------------------------------------------


@cli.command()
@_repo_option
@click.option("--force", is_flag=True, help="Overwrite existing .vouched/ files.")
def init(repo: Path, force: bool) -> int:
    """Write a starter .vouched/policy.toml and people.toml for this repository, and say why.

    Paths that look like authentication, cryptography, payments, migrations or infrastructure are
    proposed red, the rest of the source yellow, docs and tests green. Review and commit the files.
    """
    from vouched.policy import starter

    git = _git(repo)
    top = Path(git.toplevel())
    proposal = starter(git.tracked_files("HEAD") if git.has_commits() else [], git.recent_authors(500))
    targets = {
        top / ".vouched" / "policy.toml": proposal.policy,
        top / ".vouched" / "people.toml": proposal.people,
    }
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise UsageError(
            f"{existing[0]} already exists",
            hint="edit it, check it with `vouched policy check`, or pass --force to replace it",
        )
    (top / ".vouched").mkdir(exist_ok=True)
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path.relative_to(top)}")
    click.echo("")
    click.echo("tiers proposed:")
    for tier_name, pattern, why in proposal.explanations:
        click.echo(f"  {tier_name:<7} {pattern:<28} {why}")
    click.echo("")
    click.echo("next: set each person's level in .vouched/people.toml, run `vouched policy check`,")
    click.echo("then commit .vouched/ in a change of its own: vouched reads it from the base revision.")
    return EXIT_OK


# -- demo -------------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--keep",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build the sample repository in DIR (must not exist) and keep it.",
)
@click.option("--color/--no-color", default=None, help="Colour the verdicts (default: on a terminal).")
def demo(keep: Path | None, color: bool | None) -> int:
    """Build a sample repository and show vouched passing one change and failing another."""
    from vouched.demo import run_demo

    colored = _use_color(color, sys.stdout)
    run_demo(keep, color=colored, echo=lambda line: click.echo(line, color=colored))
    return EXIT_OK
