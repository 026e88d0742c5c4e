"""Commands of the pattern library: patterns list, patterns test, patterns add --from-finding."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vouched.cli._app import EXIT_FINDINGS, EXIT_OK, _git, _repo_option, cli
from vouched.errors import ConfigError, InputError, UsageError

if TYPE_CHECKING:
    from vouched.git import Git
    from vouched.scan.patterns import Library

_REV_HELP = "Read the library committed at REV (default: the working tree's .vouched/patterns/)."


def _tiers(git: Git, rev: str | None) -> list[str] | None:
    """The policy's tier names at the same place, to check the patterns' `tiers`; None without a usable policy."""
    from vouched.policy import load_sources

    try:
        pol, _ = load_sources(git, rev)
    except ConfigError:
        return None
    return [t.name for t in pol.tiers]


def _library(repo: Path, rev: str | None) -> Library:
    from vouched.scan.patterns import load_library, load_worktree

    git = _git(repo)
    tiers = _tiers(git, rev)
    lib = load_library(git, git.resolve(rev), tiers) if rev is not None else load_worktree(git.toplevel(), tiers)
    if lib.problems:
        raise ConfigError.combine(lib.problems)
    return lib


@cli.group()
def patterns() -> None:
    """The team's pattern library (.vouched/patterns/*.yml): list it, test it, grow it from findings."""


@patterns.command("list")
@_repo_option
@click.option("--rev", metavar="REV", help=_REV_HELP)
def patterns_list(repo: Path, rev: str | None) -> int:
    """List every pattern: id, status, the tiers where it blocks, languages, title and file."""
    lib = _library(repo, rev)
    if not lib.patterns:
        click.echo("no patterns in .vouched/patterns/")
        return EXIT_OK
    rows = [
        (
            p.id,
            p.status,
            ",".join(p.tiers) or ("all tiers" if p.status == "caused-issue" else "-"),
            ",".join(p.languages),
            p.title,
        )
        for p in lib.patterns
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    blocking = sum(1 for p in lib.patterns if p.status == "caused-issue")
    click.echo(f"{len(lib.patterns)} patterns: {blocking} caused-issue, {len(lib.patterns) - blocking} worked")
    return EXIT_OK


@patterns.command("test")
@_repo_option
@click.option("--rev", metavar="REV", help=_REV_HELP)
def patterns_test(repo: Path, rev: str | None) -> int:
    """Run every pattern on its examples: each `match` example must match, each `no_match` must not.

    Exit 0 when all pass, 1 when an example fails, 2 when a pattern file is malformed.
    """
    from vouched.scan.patterns import run_examples

    lib = _library(repo, rev)
    failed = 0
    for p in lib.patterns:
        problems = run_examples(p)
        if problems:
            failed += 1
            click.echo(f"FAIL  {p.id}  ({p.file})")
            for problem in problems:
                click.echo(f"      {problem}")
        else:
            click.echo(f"ok    {p.id}  ({len(p.positive)} match, {len(p.negative)} no_match)")
    click.echo(f"{len(lib.patterns) - failed} of {len(lib.patterns)} patterns pass their examples")
    return EXIT_FINDINGS if failed else EXIT_OK


@patterns.command("add")
@_repo_option
@click.option(
    "--from-finding",
    "report_file",
    metavar="FILE",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A report written by `vouched check --format json`.",
)
@click.option("--rule", metavar="RULE", help="Pick the finding with this rule id.")
@click.option("--path", "finding_path", metavar="PATH", help="Pick the finding on this path.")
@click.option("--line", type=int, metavar="N", help="Pick the finding on this line.")
@click.option("--id", "pattern_id", metavar="ID", help="The new pattern's id (default: derived from the finding).")
@click.option(
    "--status",
    type=click.Choice(["caused-issue", "worked"]),
    default="caused-issue",
    show_default=True,
    help="caused-issue blocks; worked shows the house way.",
)
def patterns_add(
    repo: Path,
    report_file: Path,
    rule: str | None,
    finding_path: str | None,
    line: int | None,
    pattern_id: str | None,
    status: str,
) -> int:
    """Turn one finding of a JSON report into a new pattern file, with the matched code as its example.

    The finding is picked by --rule, --path and --line (together they must pick exactly one finding with a
    path and a line). The file is written to .vouched/patterns/ID.yml and never overwrites one; edit its
    why, fix and links, add no_match examples, run `vouched patterns test`, and commit it on its own.
    """
    from vouched.scan.patterns import PATTERNS_DIR, language_for, parse_pattern, run_examples

    finding, head = _pick(report_file, rule, finding_path, line)
    path, number = str(finding["path"]), int(finding["line"])
    language = language_for(path)
    if language is None:
        raise UsageError(f"{path}: no pattern language is known for this kind of file")
    git = _git(repo)
    top = Path(git.toplevel())
    code = _statement(git, top, head, path, number, language)
    pid = pattern_id or _derive_id(str(finding.get("rule") or "finding"), path, number)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", pid):
        raise UsageError(f"id {pid!r} must be lower-case letters, digits, '.', '_' or '-'")
    target = top / PATTERNS_DIR / f"{pid}.yml"
    if target.exists():
        raise UsageError(f"{target} already exists", hint="pick another --id; `patterns add` never overwrites")
    text = _skeleton(pid, status, language, code, finding)
    parse_pattern(text, f"{PATTERNS_DIR}/{pid}.yml")  # the skeleton must itself be a valid pattern
    problems = run_examples(parse_pattern(text, f"{PATTERNS_DIR}/{pid}.yml"))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as out:  # "x": fail rather than overwrite, even in a race
            out.write(text)
    except FileExistsError:
        raise UsageError(f"{target} already exists", hint="pick another --id") from None
    click.echo(f"wrote {PATTERNS_DIR}/{pid}.yml from {finding.get('rule')} at {path}:{number}")
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo("next: write why, fix and links, add no_match examples, generalise the rule ($X matches any node),")
    click.echo("run `vouched patterns test`, and commit it in a change of its own (checks read it from the base).")
    return EXIT_OK


def _pick(report_file: Path, rule: str | None, path: str | None, line: int | None) -> tuple[dict[str, Any], str]:
    try:
        doc = json.loads(report_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{report_file} does not exist", hint="write one with `vouched check --format json`") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{report_file} is not a JSON report: {exc}") from None
    if (
        not isinstance(doc, dict)
        or doc.get("schema") != "vouched.verdict/1"
        or not isinstance(doc.get("findings"), list)
    ):
        raise InputError(f"{report_file} is not a `vouched check --format json` report (schema vouched.verdict/1)")
    head = doc.get("head")
    if not isinstance(head, str):
        raise InputError(f"{report_file} has no head revision")
    found = [
        f
        for f in doc["findings"]
        if isinstance(f, dict)
        and isinstance(f.get("path"), str)
        and isinstance(f.get("line"), int)
        and (rule is None or f.get("rule") == rule)
        and (path is None or f.get("path") == path)
        and (line is None or f.get("line") == line)
    ]
    if len(found) != 1:
        listed = "; ".join(f"{f.get('rule')} {f.get('path')}:{f.get('line')}" for f in found[:8])
        raise UsageError(
            f"{len(found)} findings with a path and a line match" + (f": {listed}" if listed else ""),
            hint="narrow it down with --rule, --path and --line",
        )
    return found[0], head


def _statement(git: Git, top: Path, head: str, path: str, line: int, language: str) -> str:
    """The outermost syntax node that starts on ``line`` of ``path`` at ``head`` (the working tree's file if
    the report's head is not in this repository)."""
    from ast_grep_py import SgRoot

    from vouched.errors import GitError

    try:
        data = git.read_files(git.resolve(head), [path]).get(path)
    except GitError:
        data = None
    if data is None:
        file = top / path
        if not file.is_file():
            raise InputError(f"{path} is neither in {head[:12]} nor in the working tree")
        data = file.read_bytes()
    lines = data.decode("utf-8", "replace").splitlines()
    if not 0 < line <= len(lines):
        raise InputError(f"{path} has {len(lines)} lines; the finding points at line {line}")
    node = SgRoot(data.decode("utf-8", "replace"), language).root()
    chosen = None
    while True:
        covering = [c for c in node.children() if c.range().start.line <= line - 1 <= c.range().end.line]
        if not covering:
            break
        node = covering[0]
        if node.range().start.line == line - 1 and node.is_named():
            chosen = node
            break
    text = chosen.text() if chosen is not None else lines[line - 1].strip()
    return text if len(text) <= 2000 else lines[line - 1].strip()


def _derive_id(rule: str, path: str, line: int) -> str:
    stem = Path(path).stem
    raw = f"{rule}-{stem}-{line}".lower()
    return re.sub(r"[^a-z0-9._-]+", "-", raw).strip("-._") or "pattern"


def _skeleton(pid: str, status: str, language: str, code: str, finding: dict[str, Any]) -> str:
    import yaml

    message = str(finding.get("message") or "")
    doc: dict[str, Any] = {
        "id": pid,
        "title": f"TODO: name this pattern (from {finding.get('rule')})",
        "languages": [language],
        "status": status,
        "rule": code,
        "why": f"TODO: what went wrong, and why. The finding said: {message[:300]}",
        "fix": str(finding.get("hint") or "TODO: what to write instead"),
        "links": [f"finding {finding.get('rule')} at {finding.get('path')}:{finding.get('line')}"],
        "examples": {"match": [code], "no_match": []},
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
