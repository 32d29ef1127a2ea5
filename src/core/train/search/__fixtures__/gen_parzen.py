"""Reference values for the TPE Parzen estimator: component widths by the TPE bandwidth rule (numpy), the
mixture's log density from scipy.stats.truncnorm and scipy.special.logsumexp, and math.erfc.
Run: .venv-ref/bin/python src/core/train/search/__fixtures__/gen_parzen.py"""
import json
import math
import os

import numpy as np
import scipy
from scipy.special import logsumexp
from scipy.stats import truncnorm

OUT = os.path.join(os.path.dirname(__file__), "parzen.json")


def widths(points, low, high):
    """Each point's larger gap to a neighbouring centre (prior centre included, ends at the bounds), clipped."""
    width = high - low
    mus = np.array(list(points) + [(low + high) / 2])
    order = np.argsort(mus, kind="stable")
    srt = mus[order]
    left = np.concatenate([[low], srt[:-1]])
    right = np.concatenate([srt[1:], [high]])
    gaps = np.maximum(srt - left, right - srt)
    sig_sorted = np.clip(gaps, width / min(100, len(mus) + 1), width)
    sigmas = np.empty_like(mus)
    sigmas[order] = sig_sorted
    sigmas[-1] = width  # the prior keeps the whole range
    return mus, sigmas


cases = []
for points, low, high, xs in [
    ([], 0.0, 1.0, [0.0, 0.3, 1.0]),
    ([0.2], 0.0, 1.0, [0.0, 0.2, 0.21, 0.9]),
    ([0.1, 0.15, 0.8, 0.8], 0.0, 1.0, [0.05, 0.12, 0.5, 0.8, 0.99]),
    ([math.log(3e-5), math.log(1e-4), math.log(2e-5)], math.log(1e-6), math.log(1e-2), [math.log(1e-6), math.log(2.5e-5), math.log(5e-3)]),
    ([1.0, 2.0, 2.0, 7.0, 9.0, 10.0], 0.5, 10.5, [0.5, 1.2, 2.0, 5.5, 10.4]),
]:
    mus, sigmas = widths(points, low, high)
    weights = np.ones(len(mus))
    a, b = (low - mus) / sigmas, (high - mus) / sigmas
    logpdf = [
        float(logsumexp(truncnorm.logpdf(x, a, b, loc=mus, scale=sigmas), b=weights / weights.sum())) for x in xs
    ]
    cases.append({"points": points, "low": low, "high": high, "sigmas": sigmas.tolist(), "xs": xs, "logpdf": logpdf})

erfc = [{"x": x, "erfc": math.erfc(x)} for x in [-3.0, -1.2, -0.3, 0.0, 0.01, 0.7, 1.5, 2.8, 4.0]]

with open(OUT, "w") as f:
    json.dump({"versions": {"numpy": np.__version__, "scipy": scipy.__version__}, "parzen": cases, "erfc": erfc}, f, indent=1)
    f.write("\n")
print("wrote", OUT)
