"""Statistics over seeds: means with confidence intervals, ANOVA, method comparisons, slopes.

Every function takes plain numbers (one value per seed or per run) and knows
nothing of models or studies. ``summarize`` and ``loglog_slope`` need only scipy;
``two_way_anova`` and ``compare_methods`` use statsmodels (and pandas), installed
with ``pip install 'spectralbench[study]'``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from scipy import stats

from .._optional import import_optional
from .._validation import did_you_mean

__all__ = ["LogLogFit", "compare_methods", "loglog_slope", "summarize", "two_way_anova"]

logger = logging.getLogger(__name__)


def _finite_1d(values: Any, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D float array without NaN or infinity."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numbers, got {values!r}: {exc}") from exc
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of numbers, got shape "
                         f"{array.shape}.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values: {array.tolist()}. Leave out "
                         "failed runs before computing statistics.")
    return array


def summarize(values: Iterable[float], *, confidence: float = 0.95) -> dict[str, float]:
    """Mean, standard deviation and t-based confidence interval of per-seed values.

    Parameters
    ----------
    values : array-like of shape (n,)
        One value per seed (or per run); must be finite.
    confidence : float, default=0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    dict
        ``mean``, ``std`` (sample standard deviation, ddof=1), ``n`` (an int),
        ``ci_low`` and ``ci_high`` (mean -+ t quantile x std / sqrt(n), with
        n - 1 degrees of freedom). With a single value, ``std`` and the interval
        are NaN: one seed says nothing about spread.

    Examples
    --------
    >>> s = summarize([0.5, 0.6, 0.7])
    >>> round(s["mean"], 3), round(s["std"], 3), s["n"]
    (0.6, 0.1, 3)
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence={confidence!r} must lie strictly between 0 and 1, "
                         "e.g. 0.95 for a 95% interval.")
    array = _finite_1d(values, "values")
    n, mean = array.size, float(array.mean())
    if n < 2:
        return {"mean": mean, "std": math.nan, "n": n, "ci_low": math.nan, "ci_high": math.nan}
    std = float(array.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return {"mean": mean, "std": std, "n": n, "ci_low": mean - half, "ci_high": mean + half}


def _require_columns(frame: Any, columns: Sequence[str]) -> None:
    for column in columns:
        if column not in frame.columns:
            available = [str(c) for c in frame.columns]
            hint = did_you_mean(str(column), available)
            raise ValueError(f"no column {column!r} in the data; it has {available}.{hint}")


def two_way_anova(data: Any, response: str, factor_a: str, factor_b: str):
    """Two-way ANOVA with interaction (type II sums of squares), with effect sizes.

    Used for the balanced vs unbalanced comparison: ``factor_a="fraction"``,
    ``factor_b="balance"``, one row per run (seeds are the replicates).

    Parameters
    ----------
    data : pandas.DataFrame or iterable of mappings
        One row per observation (e.g. a list of result dicts).
    response : str
        Numeric column to explain, e.g. ``"accuracy"``.
    factor_a, factor_b : str
        Columns holding the two factors; both are treated as categorical, even
        when numeric (each fraction is one level).

    Returns
    -------
    pandas.DataFrame
        Indexed by term: ``factor_a``, ``factor_b``, ``"factor_a:factor_b"`` and
        ``"Residual"``; columns ``sum_sq``, ``df``, ``F``, ``p`` and
        ``partial_eta_sq`` (sum_sq / (sum_sq + residual sum_sq), NaN for the
        residual row).

    Raises
    ------
    ValueError
        When a column is missing, the response holds NaN or non-numbers, a
        factor has a single level, a combination of levels has no observation,
        or no combination has two observations (no residual to test against).
    MissingDependencyError
        When pandas or statsmodels is not installed.
    """
    pd = import_optional("pandas", extra="study", feature="two_way_anova")
    smf = import_optional("statsmodels.formula.api", extra="study", feature="two_way_anova",
                          package="statsmodels")
    anova = import_optional("statsmodels.stats.anova", extra="study", feature="two_way_anova",
                            package="statsmodels")
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame.from_records(list(data))
    _require_columns(frame, [response, factor_a, factor_b])
    table = pd.DataFrame({
        "y": pd.to_numeric(frame[response], errors="coerce"),
        "a": frame[factor_a],
        "b": frame[factor_b],
    })
    if table["y"].isna().any():
        raise ValueError(f"column {response!r} holds NaN or non-numeric values; drop those "
                         "rows (e.g. failed runs) before the ANOVA.")
    for name, column in ((factor_a, "a"), (factor_b, "b")):
        levels = table[column].unique().tolist()
        if len(levels) < 2:
            raise ValueError(f"factor {name!r} has a single level {levels}; a two-way ANOVA "
                             "needs at least two levels of each factor.")
    counts = pd.crosstab(table["a"], table["b"])
    empty = [f"{factor_a}={a!r}, {factor_b}={b!r}"
             for a in counts.index for b in counts.columns if counts.loc[a, b] == 0]
    if empty:
        raise ValueError(f"no observation for {len(empty)} combination(s) of levels: "
                         f"{'; '.join(empty[:5])}. Run every combination, or drop a level.")
    if len(table) <= counts.size:
        raise ValueError(f"{len(table)} observations for {counts.size} combinations of levels "
                         "leave no residual degrees of freedom; repeat runs (e.g. more seeds).")
    model = smf.ols("y ~ C(a) * C(b)", data=table).fit()
    result = anova.anova_lm(model, typ=2).rename(
        index={"C(a)": factor_a, "C(b)": factor_b, "C(a):C(b)": f"{factor_a}:{factor_b}"},
        columns={"PR(>F)": "p"},
    )
    residual = result.loc["Residual", "sum_sq"]
    result["partial_eta_sq"] = result["sum_sq"] / (result["sum_sq"] + residual)
    result.loc["Residual", "partial_eta_sq"] = math.nan
    result.index.name = "term"
    return result[["sum_sq", "df", "F", "p", "partial_eta_sq"]]


def _by_seed(values: Mapping | Sequence) -> dict:
    """``{seed: value}`` from a mapping, or from a sequence by position."""
    if isinstance(values, Mapping):
        return dict(values)
    return dict(enumerate(values))


def _degenerate(diff: float) -> tuple[float, float, float]:
    """t, p and effect size when both groups have no spread at all."""
    if diff == 0:
        return 0.0, 1.0, 0.0
    return math.copysign(math.inf, diff), 0.0, math.copysign(math.inf, diff)


def _paired(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Paired t-test of x - y: t, df, p and Cohen's d_z (mean diff / sd of diffs)."""
    d = x - y
    sd = float(d.std(ddof=1))
    if sd == 0:
        t, p, dz = _degenerate(float(d.mean()))
        return t, d.size - 1.0, p, dz
    result = stats.ttest_rel(x, y)
    return float(result.statistic), float(result.df), float(result.pvalue), float(d.mean()) / sd


def _welch(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Welch's t-test of x vs y: t, df, p and Hedges' g (bias-corrected pooled-sd d)."""
    n1, n2 = x.size, y.size
    v1, v2 = float(x.var(ddof=1)), float(y.var(ddof=1))
    diff = float(x.mean() - y.mean())
    if v1 == 0 and v2 == 0:
        t, p, g = _degenerate(diff)
        return t, n1 + n2 - 2.0, p, g
    result = stats.ttest_ind(x, y, equal_var=False)
    pooled = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
    correction = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)
    return float(result.statistic), float(result.df), float(result.pvalue), (
        correction * diff / pooled)


def compare_methods(
    scores: Mapping[str, Mapping | Sequence],
    reference: str = "spectralnet",
    *,
    paired: bool = True,
    alpha: float = 0.05,
) -> list[dict[str, Any]]:
    """t-test the reference method against every other method, Holm-corrected.

    Parameters
    ----------
    scores : mapping of str to per-seed values
        ``{method: values}``; values are ``{seed: score}`` or a sequence (the
        i-th value belongs to the i-th seed). Every value must be finite.
    reference : str, default="spectralnet"
        The method the others are compared with.
    paired : bool, default=True
        Use a paired t-test when the two methods were run on the same seeds
        (same seed keys, or sequences of the same length); otherwise, or with
        ``paired=False``, Welch's unequal-variance t-test.
    alpha : float, default=0.05
        Family-wise error rate for the ``significant`` flag.

    Returns
    -------
    list of dict
        One row per other method, in the order of ``scores``: ``method``,
        ``reference``, ``n_method``, ``n_reference``, ``mean_method``,
        ``mean_reference``, ``mean_diff`` (reference minus method, so positive
        means the reference scores higher), ``t``, ``df``, ``p``, ``p_holm``
        (Holm-adjusted over all rows), ``significant`` (``p_holm < alpha``),
        ``effect_size``, ``effect_measure`` (``"cohen_dz"`` for paired tests:
        mean difference over the sd of differences; ``"hedges_g"`` for Welch:
        pooled-sd difference with small-sample correction; ``"none"`` without a
        test) and ``test``
        (``"paired t"``, ``"welch t"``, or ``"none"`` when a method has fewer
        than two values, in which case the statistics are NaN and the row is
        left out of the Holm correction). Groups without any spread give
        t = 0, p = 1 for equal means and infinite t and effect, p = 0 otherwise.

    Raises
    ------
    ValueError
        When ``reference`` is not in ``scores`` or values are not finite.
    MissingDependencyError
        When statsmodels is not installed.
    """
    multitest = import_optional("statsmodels.stats.multitest", extra="study",
                                feature="compare_methods", package="statsmodels")
    if reference not in scores:
        hint = did_you_mean(str(reference), [str(m) for m in scores])
        raise ValueError(f"reference={reference!r} is not among the methods "
                         f"{list(scores)}.{hint}")
    ref = _by_seed(scores[reference])
    rows = []
    for method, values in scores.items():
        if method == reference:
            continue
        other = _by_seed(values)
        same_seeds = paired and set(other) == set(ref)
        seeds = sorted(ref, key=str) if same_seeds else None
        x = _finite_1d([ref[s] for s in seeds] if same_seeds else list(ref.values()),
                       f"scores[{reference!r}]")
        y = _finite_1d([other[s] for s in seeds] if same_seeds else list(other.values()),
                       f"scores[{method!r}]")
        row = {"method": method, "reference": reference, "n_method": int(y.size),
               "n_reference": int(x.size), "mean_method": float(y.mean()),
               "mean_reference": float(x.mean()), "mean_diff": float(x.mean() - y.mean())}
        if min(x.size, y.size) < 2:
            logger.info("%s vs %s: fewer than two values, no test", reference, method)
            t, df, p, effect, test = math.nan, math.nan, math.nan, math.nan, "none"
        elif same_seeds:
            (t, df, p, effect), test = _paired(x, y), "paired t"
        else:
            (t, df, p, effect), test = _welch(x, y), "welch t"
        measure = {"paired t": "cohen_dz", "welch t": "hedges_g"}.get(test, "none")
        row.update({"t": t, "df": df, "p": p, "effect_size": effect,
                    "effect_measure": measure, "test": test})
        rows.append(row)
    tested = [i for i, row in enumerate(rows) if not math.isnan(row["p"])]
    adjusted = (multitest.multipletests([rows[i]["p"] for i in tested], alpha=alpha,
                                        method="holm")[1] if tested else [])
    for row in rows:
        row.update({"p_holm": math.nan, "significant": False})
    for i, p_holm in zip(tested, adjusted, strict=True):
        rows[i].update({"p_holm": float(p_holm), "significant": bool(p_holm < alpha)})
    return rows


class LogLogFit(NamedTuple):
    """Least-squares line through (log10 x, log10 y): y ~ 10**intercept * x**slope."""

    slope: float
    intercept: float
    r2: float


def loglog_slope(x: Iterable[float], y: Iterable[float]) -> LogLogFit:
    """Fit a power law y = a * x**slope by linear regression on log10 scales.

    The slope is the empirical complexity exponent, e.g. of fit time against the
    number of samples N (1 means linear, 2 quadratic).

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Positive, finite values; at least two distinct x.

    Returns
    -------
    LogLogFit
        ``(slope, intercept, r2)``: ``intercept`` is log10(a); ``r2`` is the
        coefficient of determination on the log scales.

    Examples
    --------
    >>> fit = loglog_slope([1, 10, 100], [3, 300, 30000])
    >>> round(fit.slope, 6), round(10 ** fit.intercept, 6)
    (2.0, 3.0)
    """
    x_arr, y_arr = _finite_1d(x, "x"), _finite_1d(y, "y")
    if x_arr.size != y_arr.size:
        raise ValueError(f"x and y have different lengths: {x_arr.size} and {y_arr.size}.")
    if (x_arr <= 0).any() or (y_arr <= 0).any():
        raise ValueError("loglog_slope needs positive x and y (their logarithms are "
                         f"fitted), got x={x_arr.tolist()}, y={y_arr.tolist()}.")
    if np.unique(x_arr).size < 2:
        raise ValueError(f"loglog_slope needs at least two distinct x values, got "
                         f"{x_arr.tolist()}.")
    fit = stats.linregress(np.log10(x_arr), np.log10(y_arr))
    return LogLogFit(float(fit.slope), float(fit.intercept), float(fit.rvalue) ** 2)
