"""The statistics against values computed by hand: rates, the Poisson rate ratio and its interval, KM."""

from __future__ import annotations

import math
import random

import pytest

from vouched.metrics.stats import (
    BugRecord,
    ChangeRecord,
    bug_provenance,
    compute,
    fit_rate_ratio,
    kaplan_meier,
    rates,
    resolution_days,
)

Z = 1.959963984540054


def change(i: int, ai: bool, lines: int, introduced: int, files: int = 1, prior: int = 0, **kw: object) -> ChangeRecord:
    return ChangeRecord(f"{i:040x}", i, ai, lines, files, introduced, prior, **kw)  # type: ignore[arg-type]


# Four AI commits (3 introductions in 400 lines) and five human ones (4 in 1,000 lines).
DATA = [
    change(1, True, 100, 1),
    change(2, True, 50, 0),
    change(3, True, 150, 2),
    change(4, True, 100, 0),
    change(5, False, 200, 1),
    change(6, False, 300, 0),
    change(7, False, 100, 2),
    change(8, False, 250, 1),
    change(9, False, 150, 0),
]


def test_raw_rates() -> None:
    ai = rates(c for c in DATA if c.ai)
    assert (ai.commits, ai.lines, ai.introducing_commits, ai.introductions) == (4, 400, 2, 3)
    assert ai.per_commit == pytest.approx(0.75)
    assert ai.per_kloc == pytest.approx(7.5)
    human = rates(c for c in DATA if not c.ai)
    assert human.per_kloc == pytest.approx(4.0)
    assert rates([]).per_commit is None and rates([]).per_kloc is None


def test_poisson_rate_ratio_equals_the_ratio_of_raw_rates_and_its_wald_interval() -> None:
    # With AI as the only covariate (files and prior defects are constant here, so they drop out) the
    # Poisson MLE with offset log(lines) makes each group's fitted rate its raw rate: RR = (3/400)/(4/1000).
    rr = fit_rate_ratio(DATA, min_events=1, robust=False)
    expected = (3 / 400) / (4 / 1000)
    assert rr.estimate == pytest.approx(expected, rel=1e-6)
    assert rr.unadjusted == pytest.approx(expected, rel=1e-6)
    assert rr.covariates == ("ai",)
    # Model-based Wald interval: var(log RR) = 1/Y_ai + 1/Y_human.
    se = math.sqrt(1 / 3 + 1 / 4)
    assert rr.low == pytest.approx(expected * math.exp(-Z * se), rel=1e-6)
    assert rr.high == pytest.approx(expected * math.exp(Z * se), rel=1e-6)


def test_robust_interval_is_the_sandwich_by_hand() -> None:
    # HC0 sandwich for a two-group Poisson model: var(log rate_g) = sum_i (y_i - r_g L_i)^2 / Y_g^2.
    rr = fit_rate_ratio(DATA, min_events=1, robust=True)

    def var(group: list[ChangeRecord]) -> float:
        y = sum(c.introduced for c in group)
        r = y / sum(c.lines for c in group)
        return sum((c.introduced - r * c.lines) ** 2 for c in group) / y**2

    se = math.sqrt(var([c for c in DATA if c.ai]) + var([c for c in DATA if not c.ai]))
    expected = (3 / 400) / (4 / 1000)
    assert rr.estimate == pytest.approx(expected, rel=1e-6)
    assert rr.low == pytest.approx(expected * math.exp(-Z * se), rel=1e-5)
    assert rr.high == pytest.approx(expected * math.exp(Z * se), rel=1e-5)


def test_small_samples_warn_in_plain_words() -> None:
    rr = fit_rate_ratio(DATA, min_events=10)
    assert rr.estimate is not None
    assert any("too few bug introductions" in w and "3 AI-assisted and 4 human" in w for w in rr.warnings)
    assert not any("too few" in w for w in fit_rate_ratio(DATA, min_events=3).warnings)


def test_no_events_in_a_group_gives_no_ratio_and_says_why() -> None:
    data = [change(1, True, 10, 0), change(2, False, 10, 1), change(3, True, 5, 0)]
    rr = fit_rate_ratio(data)
    assert rr.estimate is None and rr.low is None
    assert "no bug-introducing AI-assisted commits" in rr.warnings[0]


def test_nothing_to_compare() -> None:
    rr = fit_rate_ratio([change(1, False, 10, 1)])
    assert rr.estimate is None and "no AI-assisted commits" in rr.warnings[0]


def test_commits_without_changed_lines_are_left_out_and_counted() -> None:
    rr = fit_rate_ratio([*DATA, change(20, True, 0, 0), change(21, False, 0, 0)], min_events=1, robust=False)
    assert rr.excluded_commits == 2 and rr.n_commits == len(DATA)
    assert rr.estimate == pytest.approx((3 / 400) / (4 / 1000), rel=1e-6)


def test_adjusting_for_files_touched_removes_a_confounded_difference() -> None:
    # Bugs depend on files touched only; AI commits touch more files. Unadjusted, AI looks worse;
    # adjusted, the ratio is close to 1.
    rng = random.Random(7)  # noqa: S311 (a fixed seed for reproducible test data, not cryptography)
    data = []
    for i in range(3000):
        ai = i % 2 == 0
        files = rng.choice([4, 6, 8]) if ai else rng.choice([1, 2, 3])
        lines = rng.randint(20, 200)
        lam = lines / 1000 * 2.0 * files
        k, p, limit = 0, 1.0, math.exp(-lam)
        while True:
            p *= rng.random()
            if p < limit:
                break
            k += 1
        data.append(change(i, ai, lines, k, files=files, prior=rng.randint(0, 3)))
    rr = fit_rate_ratio(data)
    assert rr.unadjusted is not None and rr.unadjusted > 2.0
    assert rr.estimate is not None and rr.low is not None and rr.high is not None
    assert 0.75 < rr.estimate < 1.3
    assert rr.low < 1 < rr.high
    assert "log_files_touched" in rr.covariates and "log1p_prior_defects" in rr.covariates


def test_overdispersion_is_flagged() -> None:
    data = [change(i, i % 2 == 0, 100, 30 if i % 10 == 0 else 0) for i in range(200)]
    data += [change(1000 + i, i % 2 == 0, 100, 1) for i in range(20)]
    rr = fit_rate_ratio(data, min_events=1)
    assert rr.dispersion is not None and rr.dispersion > 1.5
    assert any("overdispersed" in w for w in rr.warnings)


# -- Kaplan-Meier ------------------------------------------------------------------------------------


def test_kaplan_meier_by_hand() -> None:
    # times: 1 (event), 2 (censored), 3 (event), 3 (event), 5 (censored), 6 (event)
    km = kaplan_meier([(1, True), (2, False), (3, True), (3, True), (5, False), (6, True)])
    # S(1) = 5/6; at 3: 4 at risk, 2 events -> 5/6 * 2/4 = 5/12; at 6: 1 at risk, 1 event -> 0
    assert [t for t, _ in km.steps] == [1, 3, 6]
    assert [s for _, s in km.steps] == pytest.approx([5 / 6, 5 / 12, 0.0])
    assert (km.n, km.resolved, km.censored) == (6, 4, 2)
    assert km.median_days == 3  # first time S <= 0.5
    assert km.p90_days == 6


def test_kaplan_meier_not_reached_when_most_stay_open() -> None:
    km = kaplan_meier([(1, True), (10, False), (10, False), (10, False)])
    assert km.median_days is None and km.p90_days is None
    assert km.steps == ((1, 0.75),)


def test_dropping_open_bugs_would_lie_censoring_does_not() -> None:
    # Two resolved quickly, three still open after 100 days: the median is not 1 day.
    km = kaplan_meier([(1, True), (1, True), (100, False), (100, False), (100, False)])
    assert km.median_days is None


def test_resolution_days_censors_open_bugs_at_as_of() -> None:
    bug = BugRecord("#1", created_at=0, resolved_at=None, severity="low", customer=False)
    assert resolution_days(bug, 86400 * 3) == (3.0, False)
    resolved_later = BugRecord("#2", 0, 86400 * 10, "low", False)
    assert resolution_days(resolved_later, 86400 * 3) == (3.0, False)  # resolved after the window: open then
    assert resolution_days(resolved_later, 86400 * 30) == (10.0, True)


def test_bug_provenance() -> None:
    assert bug_provenance([]) == "unknown"
    assert bug_provenance([True, True]) == "ai"
    assert bug_provenance([False]) == "human"
    assert bug_provenance([True, False]) == "mixed"


def test_compute_splits_by_release_tier_tool_and_provenance() -> None:
    data = [
        change(1, True, 100, 1, release="v1", tier="red", tools=("claude-code",)),
        change(2, False, 100, 1, release="v1", tier="green"),
        change(3, True, 100, 0, release="v2", tier="green", tools=("copilot", "claude-code")),
    ]
    bugs = [
        BugRecord("#1", 0, 86400, "critical", True, "ai", "v1"),
        BugRecord("#2", 0, None, "low", False, "human", "v1"),
        BugRecord("#3", 0, None, "unknown", False, "unknown", None),
    ]
    stats = compute(data, bugs, as_of=86400 * 5, release_order=["v1", "v2", "v3"])
    assert stats.release_order == ("v1", "v2")
    assert stats.by_release["v1"]["ai"].introductions == 1 and stats.by_release["v2"]["ai"].commits == 1
    assert stats.bugs_by_release["v1"] == {"ai": 1, "human": 1, "mixed": 0, "unknown": 0}
    assert stats.customer_bugs_by_release["v1"]["ai"] == 1
    assert stats.bugs_by_release["(not attributed)"]["unknown"] == 1
    assert stats.by_tier["red"]["ai"].commits == 1 and stats.by_tier["green"]["human"].commits == 1
    assert stats.by_tool["claude-code"].commits == 2 and stats.by_tool["copilot"].commits == 1
    assert stats.by_tool["human"].commits == 1
    assert stats.severity["ai"]["critical"] == 1 and stats.severity["human"]["low"] == 1
    assert stats.resolution["all"].n == 3 and stats.resolution["ai"].median_days == 1.0
