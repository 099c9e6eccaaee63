"""Known properties of the summaries, tests, ANOVA and log-log fits."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from spectralbench.evaluation import compare_methods, loglog_slope, summarize, two_way_anova


def test_summarize_matches_numpy_and_the_t_interval():
    values = np.random.default_rng(0).normal(0.6, 0.05, 8)
    summary = summarize(values)
    assert summary["n"] == 8
    assert summary["mean"] == pytest.approx(values.mean())
    assert summary["std"] == pytest.approx(values.std(ddof=1))
    low, high = stats.t.interval(0.95, 7, loc=values.mean(), scale=stats.sem(values))
    assert (summary["ci_low"], summary["ci_high"]) == pytest.approx((low, high))
    assert summary["ci_low"] < summary["mean"] < summary["ci_high"]


def test_interval_shrinks_with_more_seeds_and_widens_with_confidence():
    rng = np.random.default_rng(1)
    few, many = summarize(rng.normal(0, 1, 5)), summarize(rng.normal(0, 1, 50))
    assert many["ci_high"] - many["ci_low"] < few["ci_high"] - few["ci_low"]
    values = rng.normal(0, 1, 10)
    narrow, wide = summarize(values, confidence=0.8), summarize(values, confidence=0.99)
    assert wide["ci_high"] - wide["ci_low"] > narrow["ci_high"] - narrow["ci_low"]


def test_single_seed_has_no_spread():
    summary = summarize([0.42])
    assert summary["mean"] == 0.42 and summary["n"] == 1
    assert all(math.isnan(summary[k]) for k in ("std", "ci_low", "ci_high"))


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [([], {}, "non-empty 1-D"), ([0.1, float("nan")], {}, "NaN or infinite"),
     ([0.1, 0.2], {"confidence": 95}, "strictly between 0 and 1")],
)
def test_summarize_rejects_bad_input(values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        summarize(values, **kwargs)


@pytest.mark.parametrize("paired", [True, False])
def test_identical_groups_give_p_one_and_no_effect(paired):
    values = [0.61, 0.58, 0.64, 0.60]
    (row,) = compare_methods({"spectralnet": values, "kmeans": list(values)}, paired=paired)
    assert row["p"] == pytest.approx(1.0) and row["effect_size"] == pytest.approx(0.0)
    assert row["mean_diff"] == 0.0 and not row["significant"]
    assert row["test"] == ("paired t" if paired else "welch t")


def test_large_shift_is_significant_with_a_large_effect():
    rng = np.random.default_rng(2)
    base = rng.normal(0.5, 0.02, 5)
    (row,) = compare_methods({"spectralnet": base + 0.3, "kmeans": base + rng.normal(0, 0.01, 5)})
    assert row["p"] < 1e-4 and row["significant"]
    assert row["mean_diff"] > 0.25 and row["t"] > 0 and row["effect_size"] > 5


def test_hedges_g_of_a_shifted_copy():
    base = np.random.default_rng(3).normal(0, 1, 6)
    (row,) = compare_methods({"ref": base + 0.5, "other": base}, reference="ref", paired=False)
    correction = 1 - 3 / (4 * 12 - 9)
    assert row["effect_measure"] == "hedges_g"
    assert row["effect_size"] == pytest.approx(correction * 0.5 / base.std(ddof=1))


def test_pairing_by_seed_removes_seed_to_seed_noise():
    rng = np.random.default_rng(4)
    ref = dict(enumerate(0.60 + rng.normal(0, 0.1, 6)))
    gaps = 0.02 + rng.normal(0, 0.002, 6)
    # Listed in another order: pairs are formed by seed, not by position.
    other = {seed: ref[seed] - gaps[seed] for seed in reversed(range(6))}
    paired, welch = (compare_methods({"spectralnet": ref, "som": other}, paired=p)[0]
                     for p in (True, False))
    assert paired["test"] == "paired t" and paired["effect_measure"] == "cohen_dz"
    assert paired["p"] < 1e-4
    assert paired["effect_size"] == pytest.approx(gaps.mean() / gaps.std(ddof=1))
    assert welch["p"] > 0.5


def test_constant_difference_gives_infinite_effect():
    (row,) = compare_methods({"spectralnet": [0.5, 0.75, 0.25], "som": [0.25, 0.5, 0.0]})
    assert row["t"] == math.inf and row["p"] == 0.0 and row["effect_size"] == math.inf


def test_unmatched_seeds_fall_back_to_welch():
    (row,) = compare_methods({"spectralnet": {0: 0.6, 1: 0.62, 2: 0.61},
                              "umap": {0: 0.5, 1: 0.55, 7: 0.52}})
    assert row["test"] == "welch t"


def test_holm_adjustment_is_conservative_and_monotone():
    rng = np.random.default_rng(5)
    scores = {"spectralnet": rng.normal(0.6, 0.05, 5)}
    for i, shift in enumerate([0.0, 0.02, 0.05, 0.1, 0.2]):
        scores[f"m{i}"] = scores["spectralnet"] - shift + rng.normal(0, 0.03, 5)
    rows = compare_methods(scores)
    assert [r["method"] for r in rows] == ["m0", "m1", "m2", "m3", "m4"]
    assert all(r["p_holm"] >= r["p"] for r in rows)
    ordered = sorted(rows, key=lambda r: r["p"])
    assert all(a["p_holm"] <= b["p_holm"] for a, b in itertools.pairwise(ordered))
    assert ordered[0]["p_holm"] == pytest.approx(min(1.0, 5 * ordered[0]["p"]))


def test_too_few_values_give_no_test_and_skip_holm():
    rows = compare_methods({"spectralnet": [0.6, 0.7, 0.65], "dbscan": [0.1],
                            "kmeans": [0.3, 0.35, 0.32]})
    by_method = {r["method"]: r for r in rows}
    assert by_method["dbscan"]["test"] == "none" and math.isnan(by_method["dbscan"]["p_holm"])
    assert by_method["kmeans"]["p_holm"] == pytest.approx(by_method["kmeans"]["p"])  # one test


def test_unknown_reference_names_the_closest_method():
    with pytest.raises(ValueError, match="Did you mean 'spectralnet'"):
        compare_methods({"spectralnet": [1, 2], "kmeans": [1, 2]}, reference="spectralnett")


def _planted(seed: int = 0) -> list[dict]:
    """Accuracy rises with the fraction; balance has no effect at all."""
    rng = np.random.default_rng(seed)
    return [{"fraction": f, "balance": b, "seed": s,
             "accuracy": 0.3 + 0.4 * f + rng.normal(0, 0.02)}
            for f in (0.25, 0.5, 0.75, 1.0) for b in ("balanced", "unbalanced") for s in range(3)]


def test_anova_finds_the_planted_effect_only():
    table = two_way_anova(_planted(), "accuracy", "fraction", "balance")
    assert list(table.index) == ["fraction", "balance", "fraction:balance", "Residual"]
    assert list(table.columns) == ["sum_sq", "df", "F", "p", "partial_eta_sq"]
    assert table.loc["fraction", "p"] < 1e-8 and table.loc["fraction", "partial_eta_sq"] > 0.9
    assert table.loc["balance", "p"] > 0.05 and table.loc["balance", "partial_eta_sq"] < 0.2
    assert table.loc["fraction", "df"] == 3 and table.loc["Residual", "df"] == 24 - 8
    assert math.isnan(table.loc["Residual", "partial_eta_sq"])


def test_anova_accepts_a_frame_and_records_alike():
    records = _planted(1)
    pd.testing.assert_frame_equal(two_way_anova(records, "accuracy", "fraction", "balance"),
                                  two_way_anova(pd.DataFrame(records), "accuracy", "fraction",
                                                "balance"))


@pytest.mark.parametrize(
    ("edit", "message"),
    [(lambda rs: [r for r in rs if r["balance"] == "balanced"], "single level"),
     (lambda rs: [r for r in rs if not (r["fraction"] == 0.5 and r["balance"] == "balanced")],
      r"no observation for 1 combination.*fraction=0.5, balance='balanced'"),
     (lambda rs: [r for r in rs if r["seed"] == 0], "no residual degrees of freedom"),
     (lambda rs: [{**r, "accuracy": None} for r in rs], "NaN or non-numeric"),
     (lambda rs: [{k: v for k, v in r.items() if k != "balance"} | {"balanc": r["balance"]}
                  for r in rs], "Did you mean 'balanc'")],
)
def test_anova_explains_unusable_designs(edit, message):
    with pytest.raises(ValueError, match=message):
        two_way_anova(edit(_planted()), "accuracy", "fraction", "balance")


def test_loglog_slope_recovers_a_power_law():
    x = np.array([1e3, 2e3, 5e3, 1e4, 7e4])
    fit = loglog_slope(x, 3 * x**2)
    assert fit.slope == pytest.approx(2.0) and 10**fit.intercept == pytest.approx(3.0)
    assert fit.r2 == pytest.approx(1.0)
    noisy = loglog_slope(x, 3 * x * np.random.default_rng(6).lognormal(0, 0.3, x.size))
    assert noisy.r2 < 1.0 and noisy.slope == pytest.approx(1.0, abs=0.3)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [([1, 2, 3], [1, 2], "different lengths"), ([0, 1, 2], [1, 2, 3], "positive x and y"),
     ([5, 5], [1, 2], "two distinct x"), ([1, float("inf")], [1, 2], "NaN or infinite")],
)
def test_loglog_slope_rejects_bad_input(x, y, message):
    with pytest.raises(ValueError, match=message):
        loglog_slope(x, y)
