"""The numbers: AI-assisted against human, per release, per tier, per tool, with honest uncertainty.

Inputs are plain values (:class:`ChangeRecord` a commit, :class:`BugRecord` a tracker bug) so that every
figure can be checked by hand; :mod:`vouched.metrics.pipeline` builds them from git, SZZ and the export.

* **Rates.** A commit's *bug introductions* are the fixes whose SZZ candidates include it (a commit blamed by
  three fixes introduced three bugs). Rates are introductions per commit and per 1,000 changed lines
  (added plus deleted text lines), for AI-assisted and human commits.
* **Rate ratio.** A Poisson GLM of a commit's introductions with offset log(changed lines) (changed lines
  are the exposure) and covariates AI (0/1), log(files touched) and log(1 + prior defects of the files
  touched: earlier fix commits that touched the same paths). exp(coefficient of AI) is the rate ratio;
  its 95% interval is a Wald interval from heteroskedasticity-robust (HC0 sandwich) standard errors,
  which stay valid when the counts are overdispersed (the Poisson variance assumption fails), so the
  interval is not falsely narrow. The Pearson dispersion is reported beside it. Commits with no changed
  text lines (merges, binary-only, empty) cannot carry an offset and are left out of the model, counted.
  The unadjusted ratio (AI as the only covariate) equals the ratio of the raw rates per line exactly, and is
  shown too. Fewer than ``min_events`` introductions in either group gives a plain warning.
* **Time to resolution.** Kaplan-Meier: a bug still open at the end of the report window is censored at
  that time, not dropped (dropping open bugs would make slow groups look fast). The median and the 90th
  percentile are the first times the estimated share still open falls to 50% and 10%; "not reached" when
  it never does.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vouched.policy.model import BUG_SEVERITIES

__all__ = [
    "PROVENANCES",
    "BugRecord",
    "ChangeRecord",
    "GroupRates",
    "KaplanMeier",
    "RateRatio",
    "bug_provenance",
    "fit_rate_ratio",
    "kaplan_meier",
    "rates",
]

log = logging.getLogger(__name__)

# A bug's provenance: its bug-introducing commits were all AI-assisted, all human, some of each, or not found.
PROVENANCES = ("ai", "human", "mixed", "unknown")
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One non-merge commit, as the statistics see it."""

    sha: str
    at: int
    ai: bool
    lines: int
    files: int
    introduced: int = 0  # bug introductions: fixes that blame this commit
    prior_defects: int = 0  # earlier fix commits that touched any of its files
    release: str = "unreleased"
    tier: str | None = None
    tools: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BugRecord:
    """One tracker bug with what the history says about it."""

    id: str
    created_at: int
    resolved_at: int | None
    severity: str
    customer: bool
    provenance: str = "unknown"
    release: str | None = None  # the release that first shipped its (earliest) introducing commit
    title: str = ""


@dataclass(frozen=True, slots=True)
class GroupRates:
    commits: int = 0
    lines: int = 0
    introducing_commits: int = 0
    introductions: int = 0

    @property
    def per_commit(self) -> float | None:
        return self.introductions / self.commits if self.commits else None

    @property
    def per_kloc(self) -> float | None:
        return 1000 * self.introductions / self.lines if self.lines else None

    def to_json(self) -> dict[str, Any]:
        return {
            "commits": self.commits,
            "changed_lines": self.lines,
            "bug_introducing_commits": self.introducing_commits,
            "bug_introductions": self.introductions,
            "per_commit": _round(self.per_commit),
            "per_1000_lines": _round(self.per_kloc),
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def rates(changes: Iterable[ChangeRecord]) -> GroupRates:
    c = lines = introducing = introductions = 0
    for ch in changes:
        c += 1
        lines += ch.lines
        introducing += ch.introduced > 0
        introductions += ch.introduced
    return GroupRates(c, lines, introducing, introductions)


def split_rates(changes: Iterable[ChangeRecord]) -> dict[str, GroupRates]:
    """``{"ai": ..., "human": ...}`` rates."""
    ai: list[ChangeRecord] = []
    human: list[ChangeRecord] = []
    for ch in changes:
        (ai if ch.ai else human).append(ch)
    return {"ai": rates(ai), "human": rates(human)}


def raw_ratio(ai: GroupRates, human: GroupRates) -> float | None:
    """AI rate per line over human rate per line; None when either is undefined or the human rate is 0."""
    if ai.per_kloc is None or human.per_kloc is None or human.per_kloc == 0:
        return None
    return ai.per_kloc / human.per_kloc


# -- the model ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateRatio:
    """AI-assisted against human bug-introduction rate, from the count model, and why it may not say much."""

    estimate: float | None
    low: float | None
    high: float | None
    p_value: float | None
    unadjusted: float | None
    unadjusted_low: float | None
    unadjusted_high: float | None
    covariates: tuple[str, ...]
    n_commits: int
    excluded_commits: int
    events_ai: int
    events_human: int
    dispersion: float | None
    method: str
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "estimate": _round(self.estimate),
            "ci95": [_round(self.low), _round(self.high)],
            "p_value": _round(self.p_value, 6),
            "unadjusted": _round(self.unadjusted),
            "unadjusted_ci95": [_round(self.unadjusted_low), _round(self.unadjusted_high)],
            "covariates": list(self.covariates),
            "commits_in_model": self.n_commits,
            "commits_excluded": self.excluded_commits,
            "events_ai": self.events_ai,
            "events_human": self.events_human,
            "pearson_dispersion": _round(self.dispersion),
            "method": self.method,
            "warnings": list(self.warnings),
        }


def _design(changes: Sequence[ChangeRecord], adjusted: bool) -> tuple[Any, Any, Any, list[str]]:
    import numpy as np

    y = np.array([c.introduced for c in changes], dtype=float)
    offset = np.log(np.array([c.lines for c in changes], dtype=float))
    columns = [np.ones(len(changes)), np.array([1.0 if c.ai else 0.0 for c in changes])]
    names = ["intercept", "ai"]
    if adjusted:
        extra = {
            "log_files_touched": np.log(np.array([max(c.files, 1) for c in changes], dtype=float)),
            "log1p_prior_defects": np.log1p(np.array([c.prior_defects for c in changes], dtype=float)),
        }
        for name, column in extra.items():
            if np.ptp(column) > 0:  # a constant column is collinear with the intercept: leave it out
                columns.append(column)
                names.append(name)
    return y, np.column_stack(columns), offset, names


def _fit(changes: Sequence[ChangeRecord], adjusted: bool, robust: bool) -> tuple[float, float, float, float, list[str]]:
    """(coefficient of AI, its standard error, p value, Pearson dispersion, column names) of one fit."""
    import numpy as np
    from statsmodels.genmod.families import Poisson  # not statsmodels.api: that imports every model there is
    from statsmodels.genmod.generalized_linear_model import GLM

    y, x, offset, names = _design(changes, adjusted)
    model = GLM(y, x, family=Poisson(), offset=offset)
    result = model.fit(cov_type="HC0") if robust else model.fit()
    params, bse, pvalues = np.asarray(result.params), np.asarray(result.bse), np.asarray(result.pvalues)
    df = max(len(y) - x.shape[1], 1)
    dispersion = float(result.pearson_chi2) / df
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(bse))):
        raise ArithmeticError("the model did not converge")
    return float(params[1]), float(bse[1]), float(pvalues[1]), dispersion, names


def fit_rate_ratio(changes: Sequence[ChangeRecord], *, min_events: int = 10, robust: bool = True) -> RateRatio:
    """The AI rate ratio from the Poisson model (see the module docstring), with warnings when it cannot
    say much. Never raises for data reasons: a ratio that cannot be estimated is None, with the reason."""
    usable = [c for c in changes if c.lines > 0]
    excluded = len(changes) - len(usable)
    events_ai = sum(c.introduced for c in usable if c.ai)
    events_human = sum(c.introduced for c in usable if not c.ai)
    n_ai = sum(1 for c in usable if c.ai)
    warnings: list[str] = []
    method = "Poisson GLM, offset log(changed lines), " + (
        "HC0 robust (sandwich) standard errors, Wald 95% interval" if robust else "model-based Wald 95% interval"
    )
    empty = RateRatio(None, None, None, None, None, None, None, (), len(usable), excluded, events_ai, events_human,
                      None, method)  # fmt: skip
    if n_ai == 0 or n_ai == len(usable):
        who = "AI-assisted" if n_ai == 0 else "human"
        return _with(empty, [f"no {who} commits with changed lines: there is nothing to compare"])
    if events_ai == 0 or events_human == 0:
        who = "AI-assisted" if events_ai == 0 else "human"
        warnings.append(
            f"no bug-introducing {who} commits were found: the rate ratio cannot be estimated "
            "(it would be 0 or infinite); compare the raw counts"
        )
        return _with(empty, warnings)
    if min(events_ai, events_human) < min_events:
        warnings.append(
            f"too few bug introductions to say much: {events_ai} AI-assisted and {events_human} human "
            f"(fewer than {min_events} in a group); the interval is wide and the estimate may not hold"
        )
    try:
        b0, se0, _, _, _ = _fit(usable, adjusted=False, robust=robust)
        b, se, p, dispersion, names = _fit(usable, adjusted=True, robust=robust)
    except Exception as exc:  # statsmodels raises many kinds (PerfectSeparation, LinAlgError, ...)
        log.debug("rate ratio model failed", exc_info=True)
        return _with(
            empty, [*warnings, f"the count model could not be fitted ({type(exc).__name__}); see the raw rates"]
        )
    if dispersion > 1.5:
        warnings.append(
            f"the counts are overdispersed (Pearson dispersion {dispersion:.2f}): the robust interval accounts "
            "for it; a model-based interval would be too narrow"
        )
    z = 1.959963984540054
    return RateRatio(
        estimate=math.exp(b),
        low=math.exp(b - z * se),
        high=math.exp(b + z * se),
        p_value=p,
        unadjusted=math.exp(b0),
        unadjusted_low=math.exp(b0 - z * se0),
        unadjusted_high=math.exp(b0 + z * se0),
        covariates=tuple(n for n in names if n != "intercept"),
        n_commits=len(usable),
        excluded_commits=excluded,
        events_ai=events_ai,
        events_human=events_human,
        dispersion=dispersion,
        method=method,
        warnings=tuple(warnings),
    )


def _with(rr: RateRatio, warnings: list[str]) -> RateRatio:
    from dataclasses import replace

    return replace(rr, warnings=tuple(warnings))


# -- time to resolution -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """A Kaplan-Meier estimate of the share of bugs still open after t days."""

    n: int
    resolved: int
    censored: int
    steps: tuple[tuple[float, float], ...] = ()  # (days, share still open) after each event time
    median_days: float | None = None
    p90_days: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "bugs": self.n,
            "resolved": self.resolved,
            "open_censored": self.censored,
            "median_days": _round(self.median_days, 2),
            "p90_days": _round(self.p90_days, 2),
            "curve": [[_round(t, 3), _round(s, 4)] for t, s in self.steps],
        }


def kaplan_meier(durations: Iterable[tuple[float, bool]]) -> KaplanMeier:
    """``(days, resolved)`` pairs -> the estimate. A censored pair is at risk at its own time (the usual
    convention: censoring happens after the events at the same time)."""
    data = sorted(durations)
    n = len(data)
    resolved = sum(1 for _, e in data if e)
    at_risk = n
    share = 1.0
    steps: list[tuple[float, float]] = []
    median = p90 = None
    i = 0
    while i < n:
        t = data[i][0]
        events = removed = 0
        while i < n and data[i][0] == t:
            events += data[i][1]
            removed += 1
            i += 1
        if events:
            share *= 1 - events / at_risk
            steps.append((t, share))
            if median is None and share <= 0.5 + 1e-12:
                median = t
            if p90 is None and share <= 0.1 + 1e-12:
                p90 = t
        at_risk -= removed
    return KaplanMeier(n, resolved, n - resolved, tuple(steps), median, p90)


def resolution_days(bug: BugRecord, as_of: int) -> tuple[float, bool]:
    """A bug's time to resolution in days, and whether it was resolved (else censored at ``as_of``)."""
    if bug.resolved_at is not None and bug.resolved_at <= as_of:
        return max(bug.resolved_at - bug.created_at, 0) / DAY, True
    return max(as_of - bug.created_at, 0) / DAY, False


def bug_provenance(introducers_ai: Sequence[bool]) -> str:
    if not introducers_ai:
        return "unknown"
    if all(introducers_ai):
        return "ai"
    if not any(introducers_ai):
        return "human"
    return "mixed"


# -- the whole set ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistics:
    """Every figure the report shows."""

    overall: dict[str, GroupRates]
    by_release: dict[str, dict[str, GroupRates]]
    by_tier: dict[str, dict[str, GroupRates]]
    by_tool: dict[str, GroupRates]
    rate_ratio: RateRatio
    bugs_by_release: dict[str, dict[str, int]]  # release -> provenance -> bugs
    customer_bugs_by_release: dict[str, dict[str, int]]
    resolution: dict[str, KaplanMeier]  # "all" and each provenance
    severity: dict[str, dict[str, int]]  # provenance -> severity -> bugs
    release_order: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def compute(
    changes: Sequence[ChangeRecord],
    bugs: Sequence[BugRecord],
    *,
    as_of: int,
    release_order: Sequence[str] = (),
    min_events: int = 10,
) -> Statistics:
    by_release_lists: dict[str, list[ChangeRecord]] = defaultdict(list)
    by_tier_lists: dict[str, list[ChangeRecord]] = defaultdict(list)
    by_tool_lists: dict[str, list[ChangeRecord]] = defaultdict(list)
    for ch in changes:
        by_release_lists[ch.release].append(ch)
        by_tier_lists[ch.tier or "(no policy)"].append(ch)
        if ch.ai:
            for tool in ch.tools or ("(unnamed)",):
                by_tool_lists[tool].append(ch)
        else:
            by_tool_lists["human"].append(ch)
    order = [r for r in release_order if r in by_release_lists or any(b.release == r for b in bugs)]
    order += sorted({*by_release_lists, *(b.release for b in bugs if b.release)} - set(order))
    bugs_by_release: dict[str, dict[str, int]] = {}
    customer_by_release: dict[str, dict[str, int]] = {}
    for release in [*order, "(not attributed)"]:
        chosen = [b for b in bugs if (b.release or "(not attributed)") == release]
        if not chosen and release == "(not attributed)":
            continue
        bugs_by_release[release] = {p: sum(1 for b in chosen if b.provenance == p) for p in PROVENANCES}
        customer_by_release[release] = {
            p: sum(1 for b in chosen if b.provenance == p and b.customer) for p in PROVENANCES
        }
    resolution = {"all": kaplan_meier(resolution_days(b, as_of) for b in bugs)}
    for p in PROVENANCES:
        resolution[p] = kaplan_meier(resolution_days(b, as_of) for b in bugs if b.provenance == p)
    severity: dict[str, dict[str, int]] = {}
    for p in PROVENANCES:
        counts = Counter(b.severity for b in bugs if b.provenance == p)
        severity[p] = {s: counts.get(s, 0) for s in BUG_SEVERITIES}
    return Statistics(
        overall=split_rates(changes),
        by_release={r: split_rates(by_release_lists.get(r, [])) for r in order},
        by_tier={t: split_rates(v) for t, v in sorted(by_tier_lists.items())},
        by_tool={t: rates(v) for t, v in sorted(by_tool_lists.items())},
        rate_ratio=fit_rate_ratio(changes, min_events=min_events),
        bugs_by_release=bugs_by_release,
        customer_bugs_by_release=customer_by_release,
        resolution=resolution,
        severity=severity,
        release_order=tuple(order),
    )


def counts_json(groups: Mapping[str, GroupRates]) -> dict[str, Any]:
    return {k: v.to_json() for k, v in groups.items()}
