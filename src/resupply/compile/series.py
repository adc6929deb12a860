"""Derived time series: fleet in service, need, production, intensity, tranche calendars.

Plain functions over arrays, one per series, so each can be checked by hand in tests.
"""

from __future__ import annotations

import numpy as np

from resupply.compile.problem import F64, I64, Bool


def fleet_in_service(initial: F64, delivered: F64, training_days: I64, training_per_day: F64,
                     attrition: F64) -> F64:
    """[p, t] platforms in service each day.

    Delivered platforms queue for training; each day up to ``training_per_day[p]`` crews start
    (first come, first served; ``inf`` for no limit) and their platforms enter service
    ``training_days[p]`` days later. The fleet in service decays by ``attrition[p]`` per day:
    ``n[p, t] = n[p, t-1] (1 - a[p]) + entered[p, t]`` with ``n[p, -1] = initial[p]``.
    """
    n_platforms, n_days = delivered.shape
    started = np.zeros((n_platforms, n_days))
    queue = np.zeros(n_platforms)
    for t in range(n_days):
        queue += delivered[:, t]
        started[:, t] = np.minimum(queue, training_per_day)
        queue -= started[:, t]
    entered = np.zeros((n_platforms, n_days))
    for p in range(n_platforms):
        lag = int(training_days[p])
        if lag < n_days:
            entered[p, lag:] = started[p, : n_days - lag]
    in_service = np.empty((n_platforms, n_days))
    level = initial.astype(float)
    for t in range(n_days):
        level = level * (1.0 - attrition) + entered[:, t]
        in_service[:, t] = level
    return in_service


def family_need(in_service: F64, fires: F64, wear: F64, intensity: F64) -> F64:
    """[f, t] expected need: rounds fired plus spare parts worn.

    ``rounds[f, t] = sum_p n[p, t] fires[p, f] I[t]`` and
    ``parts[f, t] = sum_p n[p, t] I[t] (sum_g fires[p, g]) wear[p, f]``.
    """
    active = in_service * intensity[None, :]
    rounds = fires.T @ active
    fired_per_platform = fires.sum(axis=1)
    parts = wear.T @ (active * fired_per_platform[:, None])
    need: F64 = rounds + parts
    return need


def step_series(day_index: I64, levels: F64, n_days: int, before: float) -> F64:
    """[t] a step function: ``levels[j]`` from ``day_index[j]`` on, ``before`` before the first."""
    out = np.full(n_days, before)
    order = np.argsort(day_index, kind="stable")
    for j in order:
        out[max(int(day_index[j]), 0):] = levels[j]
    return out


def ramp_series(day_index: I64, rates: F64, n_days: int) -> F64:
    """[t] a production ramp: 0 before the first point, linear between points, flat after."""
    days = np.arange(n_days, dtype=float)
    series: F64 = np.interp(days, day_index.astype(float), rates, left=0.0, right=float(rates[-1]))
    series[days < day_index[0]] = 0.0
    return series


def tranche_calendar(every: I64, offset: I64, n_days: int) -> Bool:
    """[d, t] True on tranche days: ``t >= offset`` and ``(t - offset) % every == 0``."""
    t = np.arange(n_days)[None, :]
    calendar: Bool = (t >= offset[:, None]) & ((t - offset[:, None]) % every[:, None] == 0)
    return calendar
