"""How likely is a seed nobody chose to flip a lesson's claim?

CI re-executes every lesson under a seed derived from the commit, so each seed-dependent
``assert`` in a lesson must hold for (almost) any notebook seed: the brief asks for a flip
chance below 1 in 1000 per claim. Re-running a whole lesson a thousand times is out of
reach on 2 cores, so this study measures what a claim is made of instead: it trains the
lesson's experiment for many replica seeds at once (``train_seeds`` with a long seed list,
over several data seeds where the lesson's data follow the notebook's seed), records the
per-replica statistic the assert tests, and works out the chance that the 5 seeds a
notebook draws break the assert.

Most asserts are "at least k of the 5 seeds pass a per-seed test" (the median of 5 is
k = 3, "every seed" is k = 5). With q the chance that one seed fails its test, the claim
fails with probability P(Binomial(5, q) > 5 - k). Two estimates of q are reported:

* ``q_upper``: the one-sided 95 % Clopper–Pearson bound from the failures counted among
  the n replicas (no assumption on the statistic's distribution);
* ``q_normal``: the normal tail beyond the threshold, from the replicas' mean and standard
  deviation (an extrapolation: it assumes a roughly normal statistic).

A claim with k <= 3 (the median of 5) can be certified by ``q_upper`` alone with 70 or more
replicas and no failure; a claim on every seed (k = 5) would need about 15,000 replicas, so
the lessons assert seed-dependent outcomes on the median or a majority of seeds, and keep
"every seed" for what holds by a bound (e.g. a loss that cannot go below a floor). Asserts that compare
two conditions' medians are estimated by resampling the replicas (``risk_resampled``).

The statistics live in ``claims.py``; each lesson's experiment in ``lesson_NN.py`` (a
``STUDIES`` dict maps a study's name to its function).

Run: ``python3 course.py study [LESSON ...]`` (e.g. ``04 12``); results go to
``studies/results/flip_risk_LESSON.json`` and the table in ``studies/README.md``.
"""
import importlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from claims import (LIMIT, N_DRAWS, binomial_risk, clopper_pearson_upper, k_of_5, resampled,  # noqa: E402,F401
                    verdict, with_k)

RESULTS = ROOT / "results"


def studies():
    """{name: function} from every ``lesson_NN.py`` beside this file."""
    found = {}
    for path in sorted(ROOT.glob("lesson_*.py")):
        found.update(importlib.import_module(path.stem).STUDIES)
    return found


LESSONS = studies()


def readme_table():
    """The README's table, from the committed results."""
    rows = []
    for path in sorted(RESULTS.glob("flip_risk_*.json")):
        result = json.loads(path.read_text())
        for row in result["claims"]:
            risk = row["risk_upper"]
            failures = row.get("failures", row.get("failures_in_draws"))
            tried = row.get("n") if "failures" in row else row["draws"]
            used = "yes" if row.get("in_lesson", True) else "no (a candidate)"
            if row.get("by_construction"):
                failures, tried, risk = "–", "–", 0.0
            rows.append(f"| {result['lesson']} | {row['claim']} | {used} | {row['kind']} | {failures} / {tried} | "
                        f"{risk:.1e} | {verdict(row)} |" if tried != "–" else
                        f"| {result['lesson']} | {row['claim']} | {used} | bound: {row['by_construction']} | – | 0 | "
                        f"{verdict(row)} |")
    return "\n".join(["| lesson | claim | asserted | kind | failures / tried | flip risk | verdict |",
                      "|---|---|---|---|---|---|---|", *rows])


def provenance():
    """When and with what a result was obtained."""
    import datetime
    import platform

    import keras
    import tensorflow as tf
    return {"date": datetime.date.today().isoformat(), "python": platform.python_version(),
            "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__},
            "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores"}


def write_readme():
    table = readme_table()
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- flip-risk table -->", "<!-- end flip-risk table -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(f"{head}{start}\n{table}\n{end}{tail}")


def main(argv):
    RESULTS.mkdir(exist_ok=True)
    if argv == ["--table"]:
        write_readme()
        return 0
    for lesson in argv or sorted(LESSONS):
        t0 = time.perf_counter()
        result = LESSONS[lesson]()
        result["lesson"] = lesson.split("-")[0]
        result["seconds"] = round(time.perf_counter() - t0)
        result.update(provenance())
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"flip_risk_{lesson}.json").write_text(json.dumps(result, indent=1) + "\n")
        for row in result["claims"]:
            print(f"{lesson} {verdict(row):20s} {row['claim']}: "
                  + ", ".join(f"{k}={v:.2g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in row.items() if k not in ("claim",)))
        print(f"lesson {lesson}: {result['seconds']} s")
    write_readme()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
