"""``vouched report``: does AI-assisted code break more often here? Bugs, rates and a fair comparison.

The ``[metrics]`` table is read from the policy at HEAD of the repository, not from a base revision: the
report judges nothing and gates nothing, so there is no change that could lower its own bar; the
team's current conventions (fix patterns, tag pattern, labels) are the right ones to read history with.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vouched.cli._app import EXIT_OK, _git, _repo_option, _write, cli
from vouched.errors import UsageError

if TYPE_CHECKING:
    from vouched.git import Git
    from vouched.policy.model import Policy

ISSUE_FORMATS = ("github", "jira", "csv", "json")


def _date(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    from vouched.metrics.incidents.dates import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _policy_at_head(git: Git) -> Policy | None:
    from vouched.policy.parse import POLICY_FILE, parse_policy

    source = git.read_files("HEAD", [POLICY_FILE]).get(POLICY_FILE)
    return None if source is None else parse_policy(source, POLICY_FILE)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when stderr is a terminal; otherwise a callback that does nothing."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    state: dict[str, int] = {"shown": 0}
    bar_holder: list[click._termui_impl.ProgressBar[int]] = []

    def update(done: int, total: int) -> None:
        if total <= 0:
            return
        if not bar_holder:
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            bar.__enter__()
            bar_holder.append(bar)
        bar_holder[0].update(done - state["shown"])
        state["shown"] = done

    try:
        yield update
    finally:
        if bar_holder:
            bar_holder[0].__exit__(None, None, None)


@cli.command()
@_repo_option
@click.option("--since", metavar="DATE", help="Measure commits (and bugs) from DATE on: 2024-01-01, ISO or epoch.")
@click.option("--until", metavar="DATE", help="Measure commits before DATE; open bugs are censored at DATE.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "csv"]),
    default="text",
    show_default=True,
    help="Report format: html is one self-contained file with charts; json follows vouched.report/1.",
)
@click.option(
    "--output", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE."
)
@click.option(
    "--issues",
    "issues_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An issue tracker export: bugs with their dates, severity and labels.",
)
@click.option(
    "--issues-format",
    type=click.Choice(ISSUE_FORMATS),
    default="github",
    show_default=True,
    help="github: `gh issue list --json ...`; jira: Jira's CSV export; csv/json: the generic format.",
)
@click.option(
    "--releases",
    "releases_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Releases as CSV (name,date) or JSON, instead of tags.",
)
@click.option("--tag-pattern", metavar="RE", help="Regex of release tags (overrides [metrics] tag_pattern).")
@click.option(
    "--ignore-revs",
    "ignore_revs_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Commits blame looks through (mass reformatting); default: .git-blame-ignore-revs when present.",
)
@click.option(
    "--cache",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The history cache (SQLite); default: under $XDG_CACHE_HOME/vouched/metrics.",
)
def report(
    repo: Path,
    since: str | None,
    until: str | None,
    fmt: str,
    output: Path | None,
    issues_file: Path | None,
    issues_format: str,
    releases_file: Path | None,
    tag_pattern: str | None,
    ignore_revs_file: Path | None,
    cache: Path | None,
) -> int:
    """Compare AI-assisted and human changes on this repository's own history.

    Reads every commit (cached, so later runs read only new ones), finds bug fixes (tracker links,
    Fixes:/Closes:/Resolves: trailers, message conventions), finds the commits that introduced what they
    fixed (SZZ), and reports bugs per release, time to resolution, severity and a rate ratio with its 95%
    confidence interval, adjusted for change size, files touched and prior defects.
    """
    from dataclasses import replace

    from vouched.metrics.analysis import analyse
    from vouched.metrics.history import HistoryStore
    from vouched.metrics.incidents import load_issues
    from vouched.metrics.releases import from_file, from_tags
    from vouched.metrics.render import renderer
    from vouched.metrics.szz import Fix, SzzResult, find_introducers, read_ignore_revs
    from vouched.policy.model import MetricsConfig

    since_ts, until_ts = _date(since, "--since"), _date(until, "--until")
    if since_ts is not None and until_ts is not None and since_ts >= until_ts:
        raise UsageError("--since must be before --until")
    git = _git(repo)
    head = git.resolve("HEAD")
    policy = _policy_at_head(git)
    config = policy.metrics if policy is not None else MetricsConfig()
    if tag_pattern is not None:
        import re

        try:
            re.compile(tag_pattern)
        except re.error as exc:
            raise UsageError(f"--tag-pattern {tag_pattern!r} is not a valid regex: {exc}") from None
        config = replace(config, tag_pattern=tag_pattern)
    issues = load_issues(issues_file, issues_format, config) if issues_file is not None else None
    plan = from_file(releases_file) if releases_file is not None else None
    if plan is None:
        plan = from_tags(git.tags(), config.tag_pattern, config.version_scheme)
    ignore_revs: list[str] = []
    if ignore_revs_file is not None:
        ignore_revs = read_ignore_revs(ignore_revs_file)
    else:
        default = Path(git.toplevel()) / ".git-blame-ignore-revs"
        if default.is_file():
            ignore_revs = read_ignore_revs(default)

    as_of = until_ts if until_ts is not None else int(time.time())
    path = cache if cache is not None else HistoryStore.default_path(git)
    with HistoryStore.open(path) as store:

        def szz(fixes: Sequence[Fix]) -> SzzResult:
            # The store's own commit-graph (changed-path Bloom filters, outside the repository): blame ~2.5x cheaper.
            return find_introducers(git, fixes, ignore_revs=ignore_revs, commit_graph=store.commit_graph_dir)

        with _progress("reading history") as progress:
            store.ingest(git, head, progress)
        result = analyse(
            git,
            store.commits(),
            config=config,
            szz=szz,
            as_of=as_of,
            issues=issues,
            releases=plan,
            policy=policy,
            since=since_ts,
            until=until_ts,
            head=head,
        )
    text = renderer(fmt).render(result)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)
        click.echo(f"vouched: {fmt} report written to {output}", err=True)
    return EXIT_OK
