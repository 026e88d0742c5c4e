"""The catalogue of rule ids: what each checks and how to satisfy it.

Rule ids are a public, stable interface (users filter, suppress and count by them). SARIF's rule
metadata, the README's rule table and the tests all read this one list.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "Rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    why: str
    fix: str
    blocking: bool  # whether the rule's findings stop a change (a rule may also emit notes)


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "clearance.level",
            "Author below the tier's minimum level",
            "Each tier names the lowest clearance level that may change its files at all (`min_level`).",
            "Have someone of the tier's level author the work, or leave those files out of the change.",
            True,
        ),
        Rule(
            "clearance.ai-level",
            "AI-assisted change below the tier's AI level",
            "AI-assisted changes to a tier need the person answering for them to be at `ai_min_level` or above.",
            "Have someone cleared for AI-assisted work in this tier author it, or redo it without an assistant.",
            True,
        ),
        Rule(
            "ai.not-allowed",
            "AI assistance in a tier that forbids it",
            "The tier sets `ai_allowed = false`: no AI-assisted commit may touch it.",
            "Redo this part without an assistant and declare it with `Assisted-by: none`.",
            True,
        ),
        Rule(
            "declaration.missing",
            "No AI-assistance declaration",
            "The tier sets `require_declaration`: every commit must say whether an assistant helped.",
            "Add `Assisted-by: AGENT:MODEL` or `Assisted-by: none` to the commit message.",
            True,
        ),
        Rule(
            "rationale.missing",
            "AI-assisted commit without a rationale",
            "The tier sets `require_rationale`: each AI-assisted commit says why its work was accepted.",
            "Add `AI-Rationale: <why this AI-written code is right>` to the commit message.",
            True,
        ),
        Rule(
            "author.unknown",
            "Author not on the roster",
            "Authors missing from people.toml get the clearance `[unknown_authors] level` gives (default none).",
            "Add the person to .vouched/people.toml on the base branch, in a change of its own.",
            True,
        ),
        Rule(
            "approvals.no-source",
            "No approvals were given",
            "A tier the change touches needs approvals, and vouched was given nowhere to read them from.",
            "Pass --approvals FILE (e.g. `gh api repos/OWNER/REPO/pulls/N/reviews --paginate > FILE`).",
            True,
        ),
        Rule(
            "approvals.insufficient",
            "Too few independent approvals of the head commit",
            "Each tier needs `approvals` distinct approvers of at least `approver_min_level` who wrote none "
            "of the change and approved its latest commit.",
            "Ask more eligible reviewers to approve the head commit.",
            True,
        ),
        Rule(
            "approvals.not-counted",
            "An approval that does not count",
            "Stale approvals (of an older push), self-approvals, reviewers off the roster and withdrawn "
            "approvals are listed so the reviewer knows why they did not count.",
            "Re-review the latest push, or add the reviewer's forge login to people.toml.",
            False,
        ),
        Rule(
            "stages.unverified",
            "A required stage has no valid signed sign-off",
            "The tier lists `stages`: each needs a valid signed sign-off in the ledger (refs/vouched/ledger) by a "
            "person of the tier's `approver_min_level` (implementation: `min_level`), bound to the head tree "
            "(implementation, review) or to a work item the change names (requirements, design). A review "
            "sign-off by an author of the change does not count.",
            "Sign the stage: `vouched sign --stage STAGE --decision approve`, then `vouched ledger push`.",
            True,
        ),
        Rule(
            "stages.rejected",
            "A stage was signed off as rejected or needing work",
            "An eligible person's latest sign-off of a required stage says `reject` or `needs-work`.",
            "Address it, and ask them to sign the stage off again with `--decision approve`.",
            True,
        ),
        Rule(
            "stages.not-counted",
            "A sign-off that does not count",
            "Stale sign-offs (of another tree or a changed document), sign-offs below the level the stage "
            "needs, and review sign-offs by an author are listed so the signer knows why.",
            "Sign off the current head again, by an eligible person.",
            False,
        ),
        Rule(
            "ledger.invalid",
            "A ledger entry that does not verify",
            "An entry whose signature, key, signer or place in the chain is wrong never counts as evidence.",
            "Run `vouched ledger verify` to see every failing entry; re-sign what is needed.",
            False,
        ),
        Rule(
            "breakglass.applied",
            "A break-glass override waived this change's blocking findings",
            "A person with `break_glass = true` signed an unexpired override of this head tree: blocking "
            "findings are listed as overridden and counted apart.",
            "Have the change reviewed after the fact within `retro_review_days`.",
            False,
        ),
        Rule(
            "breakglass.retro-overdue",
            "A break-glass override has no retrospective review in time",
            "An override is due a review sign-off of its tree, by someone other than its signer, within "
            "`retro_review_days` (default 7); until then every change to the repository fails.",
            "`vouched sign --stage review --decision approve --head <overridden commit>` by another person.",
            True,
        ),
        Rule(
            "provenance.unreadable",
            "Line-level provenance record cannot be read",
            "A git-ai note or Agent Trace record is malformed: vouched will not guess which lines an assistant wrote.",
            "Repair or remove the record.",
            True,
        ),
        Rule(
            "policy.edited",
            "The change edits the policy",
            "A change is judged by the base revision's policy and held to the riskiest tier; its edit "
            "governs only later changes.",
            "Nothing to fix: land policy edits in a change of their own, with the riskiest tier's review.",
            False,
        ),
        Rule(
            "change.empty",
            "Nothing to judge",
            "There are no commits between the base and the head.",
            "Check --base and --head.",
            False,
        ),
        # -- the dependency gate (vouched.deps.gate); a signal blocks or warns as the tier's [tiers.deps] says
        Rule(
            "deps.db-missing",
            "No usable advisory database",
            "The change brings in dependencies and the local advisory database is missing, corrupt, partial "
            "or of another schema: nothing could be checked for known vulnerabilities. Always blocks.",
            "`vouched deps db update` (online) or `vouched deps db import PATH` (an OSV export or tree).",
            True,
        ),
        Rule(
            "deps.db-stale",
            "The advisory database is older than the policy allows",
            "Its data (the export's time, else its newest record) is older than `[deps] max_db_age_days` "
            "(default 7). Always blocks: old data would pass what is now known to be vulnerable.",
            "`vouched deps db update`, or import a newer export.",
            True,
        ),
        Rule(
            "deps.vulnerable",
            "A known vulnerability affects a version the manifest admits",
            "An advisory in the local OSV database affects the pinned version, or one of the published "
            "versions a range admits. The finding names the ids, aliases, affected range and first fix.",
            "Move to the first fixed version or later, or accept the risk in `[[deps.exceptions]]`.",
            True,
        ),
        Rule(
            "deps.nonexistent",
            "The package does not exist on the registry",
            "A name an assistant invented (or mistyped) can be registered by anyone (slopsquatting).",
            "Check the name; depend on the package you meant.",
            True,
        ),
        Rule(
            "deps.suspicious-new",
            "A new, tiny, unpopular package",
            "First published within `[deps] new_package_days`, few releases, no project links, not among "
            "the popular packages: the profile of a freshly registered squat.",
            "Check the package's source and owner; accept it in `[[deps.exceptions]]` if it is right.",
            False,
        ),
        Rule(
            "deps.typosquat",
            "A name close to a far more popular package",
            "Edit distance, separators, homoglyphs, swapped characters or an added word away from a popular "
            "name, which is far more popular. `[deps] allow_neighbours` lists legitimate neighbours.",
            "Depend on the package you meant, or add this one to `allow_neighbours`.",
            True,
        ),
        Rule(
            "deps.yanked",
            "The version is yanked",
            "The registry marks the version yanked (PEP 592): its maintainers withdrew it.",
            "Pick a version that is not yanked.",
            True,
        ),
        Rule(
            "deps.deprecated",
            "The package or version is deprecated",
            "npm's `deprecated`, or a PEP 792 project status (deprecated, archived, quarantined).",
            "Use the replacement its maintainers name.",
            True,
        ),
        Rule(
            "deps.inactive",
            "The package says it is inactive",
            "PyPI's `Development Status :: 7 - Inactive` classifier.",
            "Use a maintained alternative.",
            False,
        ),
        Rule(
            "deps.unmaintained",
            "No release for a long time",
            "The package's last release is old: fixes are unlikely to come.",
            "Use a maintained alternative, or accept it in `[[deps.exceptions]]`.",
            False,
        ),
        Rule(
            "deps.licence",
            "A licence the policy does not accept",
            "The licence (an SPDX expression, PEP 639 or npm) is in `[deps] licence_deny`, or not satisfiable "
            "from `licence_allow` when that list is set (an unknown licence then fails too).",
            "Use a package under an accepted licence, or accept it in `[[deps.exceptions]]`.",
            True,
        ),
        Rule(
            "deps.unknown",
            "vouched could not tell",
            "The registry did not answer (offline, timeout, garbage), a range could not be read, a URL or VCS "
            "dependency, an advisory that cannot be evaluated for the version: unknown is never fine.",
            "Make it knowable (pin a registry version, go online or warm the cache), or accept it.",
            True,
        ),
        Rule(
            "deps.manifest",
            "A manifest or lockfile that cannot be read",
            "A malformed or unknown-format manifest: what it declares is unknown. Blocks where the tier "
            "blocks `unknown`.",
            "Fix the file at the line named.",
            True,
        ),
        Rule(
            "deps.exception-expired",
            "An accepted risk has expired",
            "A `[[deps.exceptions]]` entry past its `expires` date no longer applies; the finding it "
            "covered is reported again.",
            "Fix the dependency, or renew the exception with a new reason and date.",
            False,
        ),
        Rule(
            "pattern.caused-issue",
            "Code matches a pattern of the team's library that caused an incident",
            "A pattern in .vouched/patterns/ (read at the base revision) with `status: caused-issue` matches an "
            "added line; it blocks in the tiers the pattern names (every tier when it names none) and warns "
            "elsewhere. The finding says when an AI assistant wrote the line.",
            "Rewrite the code as the pattern's `fix` says.",
            True,
        ),
        Rule(
            "pattern.worked",
            "Code follows the house way",
            "A pattern with `status: worked` matches an added line: the reviewer sees the change uses the "
            "construct the team chose.",
            "Nothing to fix.",
            False,
        ),
        Rule(
            "pattern.invalid",
            "A pattern file of the library cannot be used",
            "A file in .vouched/patterns/ at the base revision is malformed (YAML, keys, language, rule): a "
            "broken library must not pass changes silently.",
            "Fix it on the base branch in a change of its own; `vouched patterns test` checks it.",
            True,
        ),
        Rule(
            "pattern.not-scanned",
            "A changed file was not matched against the pattern library",
            "Files over 2 MiB, binary files and minified files (a line over 20,000 characters) are not parsed.",
            "Review the file by hand, or keep generated files out of the change.",
            False,
        ),
        Rule(
            "review.prompt",
            "A question the reviewer of an AI-assisted hunk must answer",
            "AI assistants are weakest at error handling, security, scale and effects across systems; what an "
            "AI-assisted hunk touches (a swallowed exception, a network or database call, a loop over input, a "
            "changed public function, threads or locks, SQL from strings, files and paths, auth or crypto) "
            "gives the reviewer a question. A note, never blocking.",
            "Answer it in the review.",
            False,
        ),
        Rule(
            "coverage.missing",
            "No test evidence for AI-assisted lines in a tier that requires it",
            "A tier sets `min_ai_line_coverage` and the change adds AI-assisted lines there, but no coverage "
            "report was given (`--coverage FILE`), or the report does not cover a changed source file.",
            "Run the tests with coverage and pass the report: `vouched check --coverage coverage.json`.",
            True,
        ),
        Rule(
            "coverage.stale",
            "The coverage report is older than the head commit",
            "A report made before the head commit cannot show the head's lines were tested (report timestamp: "
            "coverage.py JSON `meta.timestamp`, Cobertura `timestamp`, else the file's modification time).",
            "Re-run the tests with coverage on the head commit.",
            True,
        ),
        Rule(
            "coverage.below-minimum",
            "Too few AI-assisted added lines are covered by tests",
            "The share of AI-assisted added executable lines that the tests ran is below the tier's "
            "`min_ai_line_coverage` (percent).",
            "Add tests that run the uncovered lines listed in the finding.",
            True,
        ),
        Rule(
            "coverage.summary",
            "Test coverage of the change's added lines",
            "Covered added executable lines, AI-assisted and human, from the coverage reports given.",
            "Nothing to fix.",
            False,
        ),
        # -- security scan (vouched.scan) ----------------------------------------------------------
        Rule(
            "scan.finding",
            "A security scanner flagged a changed line",
            "The tier's required scanners (`[tiers.scan] scanners`, default Ruff's S rules) read the files the "
            "change touches; findings on added or changed lines at or above `block_severity` block, lower "
            "ones are warnings. The same issue found by several scanners is one finding listing them all.",
            "Fix the code as the hint says (each finding names its CWE); do not suppress it with noqa or nosec, "
            "which vouched ignores.",
            True,
        ),
        Rule(
            "scan.secret",
            "A credential on an added line",
            "Every tier blocks private keys, cloud and forge tokens, connection strings with passwords and "
            "high-entropy strings assigned to names like password, secret or token. Only a redacted form "
            "is ever shown.",
            "Remove it, rotate it (it is in the history), and read it from the environment or a secret store; "
            "a fake one in a test may carry the comment `vouched: allow-secret` (then it is a warning).",
            True,
        ),
        Rule(
            "scan.not-scanned",
            "A changed file could not be scanned",
            "A file a required scanner cannot read (syntax it cannot parse, not UTF-8, binary, over 1 MiB, "
            "a line over 2,000 bytes) is not a pass: it blocks. A binary file the secrets detector cannot "
            "read is a note.",
            "Make the file readable by the scanner, or move it out of the tier that requires the scan.",
            True,
        ),
        Rule(
            "scan.scanner-missing",
            "A required scanner is not installed",
            "A tier requires a scanner that cannot run where vouched runs: the change would pass unscanned.",
            "Install the scanner (pip install bandit; Semgrep with rule files in .vouched/semgrep/), or change "
            "the tier's `[tiers.scan] scanners` on the base branch.",
            True,
        ),
        Rule(
            "scan.scanner-failed",
            "A required scanner crashed",
            "A scanner that crashes, times out or prints output vouched cannot read has not checked the "
            "change: that is a blocking finding, never a silent pass.",
            "Run again with -v to see the scanner's error, and report it.",
            True,
        ),
    )
}
