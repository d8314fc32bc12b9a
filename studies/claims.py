"""The statistics of the flip-risk study: per-seed claims, their failure bounds and verdicts.

See ``flip_risk.py`` for what the study measures and why; each ``lesson_NN.py`` beside
this file trains one lesson's experiment and states its claims with these helpers.
"""
import numpy as np
from scipy import stats

LIMIT = 1e-3          # the brief's bound on the chance that a random seed flips a claim
N_DRAWS = 200_000     # resampled notebooks for the two-condition claims


def binomial_risk(q, k, seeds=5):
    """P(fewer than k of `seeds` seeds pass) when each fails independently with probability q."""
    return float(stats.binom.sf(seeds - k, seeds, q))


def clopper_pearson_upper(failures, n, level=0.95):
    """One-sided upper confidence bound on a failure rate after `failures` of `n`."""
    if failures >= n:
        return 1.0
    return float(stats.beta.ppf(level, failures + 1, n - failures))


def k_of_5(name, values, passes, k, threshold, side, in_lesson=True, by_construction=None, seeds=5):
    """A claim "at least k of the 5 seeds have `values` `side` `threshold`" (side: '>' or '<').

    `seeds`: how many seeds the lesson draws for this claim (5 unless it trains another
    number, e.g. 8 or 16; 1 for a claim on one run or one random draw): the kind reads
    "k of seeds" and the risk is P(Binomial(seeds, q) > seeds - k).
    """
    values = np.asarray(values, dtype=float)
    ok = passes(values)
    failures = int(np.sum(~ok))
    finite = values[np.isfinite(values)]
    mu, sd = float(np.mean(finite)), float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0
    if sd == 0:
        q_normal = float(failures > 0)
    elif side == ">":
        q_normal = float(stats.norm.cdf((threshold - mu) / sd))
    else:
        q_normal = float(stats.norm.sf((threshold - mu) / sd))
    q_upper = clopper_pearson_upper(failures, len(values))
    return {"claim": name, "in_lesson": in_lesson, "by_construction": by_construction,
            "values": [round(float(v), 4) for v in values],
            "kind": f"{k} of {seeds}", "n": len(values), "failures": failures,
            "mean": round(mu, 4), "sd": round(sd, 4), "threshold": threshold,
            "q_upper": q_upper, "risk_upper": binomial_risk(q_upper, k, seeds),
            "q_normal": q_normal, "risk_normal": binomial_risk(q_normal, k, seeds)}


def resampled(name, statistic_sets, claim, seeds=5, draws=N_DRAWS, rng=0, in_lesson=True):
    """The chance that `claim` fails on `seeds` replicas drawn per condition from the measured ones.

    statistic_sets: {condition: array (n,)}; claim: callable({condition: array (seeds,)}) -> bool.
    Draws are paired (the same replica index in every condition), as in a notebook where
    every condition trains the same seeds.
    """
    r = np.random.default_rng(rng)
    n = min(len(v) for v in statistic_sets.values())
    idx = r.integers(0, n, size=(draws, seeds))
    fails = 0
    for row in idx:
        if not claim({c: np.asarray(v)[row] for c, v in statistic_sets.items()}):
            fails += 1
    upper = clopper_pearson_upper(fails, draws)
    return {"claim": name, "in_lesson": in_lesson, "kind": "resampled", "seeds": seeds, "n": n, "failures_in_draws": fails, "draws": draws,
            "risk_resampled": fails / draws, "risk_upper": upper}


def verdict(row):
    """'holds' when the distribution-free bound on the flip chance is below LIMIT.

    The normal tail is reported but never certifies a claim: CI's seed 142185 gave one
    replica of lesson 12 an R² below 0.8 where 60 replicas' normal fit put that chance at
    1e-7 (training outcomes have heavy tails: a seed gets stuck). A claim that holds by a
    bound (``by_construction``, the reason given) needs no statistics.
    """
    if row.get("by_construction"):
        return "holds (bound)"
    return "holds" if row["risk_upper"] < LIMIT else "at risk"


def with_k(row, k, name, in_lesson=True, seeds=None):
    """The same per-seed test and counts, as the claim "at least k of `seeds` seeds pass"
    (`seeds`: as many as `row`'s claim unless given)."""
    seeds = seeds or int(row["kind"].split()[-1])
    q = clopper_pearson_upper(row["failures"], row["n"])
    return {**row, "claim": name, "in_lesson": in_lesson, "kind": f"{k} of {seeds}",
            "risk_upper": binomial_risk(q, k, seeds), "risk_normal": binomial_risk(row["q_normal"], k, seeds)}


def setup():
    """The lessons' setup (seeded, quiet TensorFlow); returns keras."""
    import lstmcourse
    return lstmcourse.setup_notebook(seed=42, verbose=False)
