"""Reference RDP values for src/fl/privacy/rdp.test.ts.

A line-for-line transcription of the formulas in Opacus `opacus/accountants/analysis/rdp.py`
(itself from TF Privacy `rdp_accountant.py`): `_compute_log_a_for_int_alpha`,
`_compute_log_a_for_frac_alpha` (scipy `special.binom`, `special.log_ndtr`) and the Balle et al.
2020 conversion in `get_privacy_spent`. Run: `python3 src/fl/privacy/testdata/rdp_reference.py > src/fl/privacy/testdata/rdp-reference.json`.
"""
import json, math
import numpy as np
from scipy import special

def log_add(x, y):
    a, b = min(x, y), max(x, y)
    if a == -np.inf: return b
    return math.log1p(math.exp(a - b)) + b

def log_sub(x, y):
    if x < y: raise ValueError("negative")
    if y == -np.inf: return x
    if x == y: return -np.inf
    try: return math.log(math.expm1(x - y)) + y
    except OverflowError: return x

def log_erfc(x): return math.log(2) + special.log_ndtr(-x * 2**0.5)

def log_a_int(q, s, a):
    la = -np.inf
    for i in range(a + 1):
        c = math.log(special.binom(a, i)) + i * math.log(q) + (a - i) * math.log(1 - q)
        la = log_add(la, c + (i * i - i) / (2 * s**2))
    return float(la)

def log_a_frac(q, s, a):
    a0, a1, i = -np.inf, -np.inf, 0
    z0 = s**2 * math.log(1 / q - 1) + .5
    while True:
        coef = special.binom(a, i); lc = math.log(abs(coef)); j = a - i
        t0 = lc + i * math.log(q) + j * math.log(1 - q)
        t1 = lc + j * math.log(q) + i * math.log(1 - q)
        e0 = math.log(.5) + log_erfc((i - z0) / (math.sqrt(2) * s))
        e1 = math.log(.5) + log_erfc((z0 - j) / (math.sqrt(2) * s))
        s0 = t0 + (i * i - i) / (2 * s**2) + e0
        s1 = t1 + (j * j - j) / (2 * s**2) + e1
        if coef > 0: a0 = log_add(a0, s0); a1 = log_add(a1, s1)
        else: a0 = log_sub(a0, s0); a1 = log_sub(a1, s1)
        i += 1
        if max(s0, s1) < -30: break
    return log_add(a0, a1)

def rdp(q, s, a):
    if q == 0: return 0.0
    if q == 1: return a / (2 * s**2)
    la = log_a_int(q, s, int(a)) if float(a).is_integer() else log_a_frac(q, s, a)
    return la / (a - 1)

ORDERS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))

def eps(q, s, steps, delta, orders=ORDERS):
    o = np.array(orders, dtype=float)
    r = np.array([rdp(q, s, a) for a in orders]) * steps
    e = r - (np.log(delta) + np.log(o)) / (o - 1) + np.log((o - 1) / o)
    i = int(np.nanargmin(e))
    return float(e[i]), float(o[i])

cases = []
for (q, s, t, d) in [(0.01, 1.1, 1000, 1e-5), (256 / 60000, 1.1, 14063, 1e-5), (256 / 60000, 0.7, 10547, 1e-5),
                     (0.001, 0.8, 100000, 1e-6), (0.1, 2.0, 100, 1e-5), (0.05, 1.0, 500, 1e-5),
                     (1.0, 5.0, 20, 1e-5), (1.0, 1.5, 30, 1e-5), (0.5, 1.2, 50, 1e-5), (0.3, 3.0, 200, 1e-5),
                     (0.02, 0.6, 2000, 1e-5), (0.9, 10.0, 10, 1e-3)]:
    e, a = eps(q, s, t, d)
    cases.append({"q": q, "sigma": s, "steps": t, "delta": d, "epsilon": e, "alpha": a})
rdps = []
for (q, s, a) in [(0.01, 1.1, 2), (0.01, 1.1, 1.5), (0.01, 1.1, 32), (0.2, 0.9, 7), (0.2, 0.9, 7.3),
                  (0.001, 4.0, 63), (0.5, 1.0, 1.1), (0.05, 0.5, 10.9), (0.3, 2.0, 40), (0.7, 3.0, 3.5)]:
    rdps.append({"q": q, "sigma": s, "alpha": a, "rdp": rdp(q, s, a)})
print(json.dumps({"source": "transcription of opacus/accountants/analysis/rdp.py", "epsilon": cases, "rdp": rdps}, indent=1))
