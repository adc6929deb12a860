"""The naive benchmark model in linopy, vectorised over labelled arrays (its idiom)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from plan_instance import naive_sets
from plan_models import costs
from resupply.compile import Problem


def _da(values: Any, dims: str, p: Problem) -> xr.DataArray:
    sizes = {"d": len(p.donors), "i": len(p.items), "k": len(p.depots), "f": len(p.families),
             "t": p.n_days}
    coords = {a: pd.RangeIndex(sizes[a], name=a) for a in dims}
    return xr.DataArray(np.asarray(values), coords=coords, dims=list(dims))


def run_linopy(p: Problem, solve: bool = True) -> dict[str, Any]:
    """Build with linopy, solve with HiGHS through linopy's direct highspy interface."""
    import linopy

    started = time.perf_counter()
    n, cost = naive_sets(p), costs(p, naive_sets(p))
    m = linopy.Model()

    def var(name: str, dims: str, mask: Any = None) -> Any:
        shape = _da(np.zeros([_size(p, a) for a in dims]), dims, p)
        return m.add_variables(lower=0, coords=shape.coords, name=name,
                               mask=None if mask is None else _da(mask, dims, p))

    x, g, h = var("x", "dit", n.x), var("g", "dit"), var("h", "it")
    z, s, c = var("z", "ikt", n.z), var("s", "ikt"), var("c", "ikt")
    u, up, dn = var("u", "fkt"), var("up", "dt", n.pairs), var("dn", "dt", n.pairs)
    first = np.zeros((len(p.donors), len(p.items), p.n_days))
    first[:, :, 0] = p.donor_stock
    m.add_constraints(g - g.shift(t=1) + x == _da(p.donor_production + first, "dit", p),
                      name="donor")
    arriving = [x.sel(d=np.nonzero(p.lead_days == lead)[0]).sum("d").shift(t=int(lead))
                for lead in np.unique(p.lead_days)]
    m.add_constraints(h - h.shift(t=1) - linopy.merge(arriving) + z.sum("k") == 0, name="hub")
    mass = _da(p.item_mass_t, "i", p)
    m.add_constraints((z * mass).sum(["i", "k"]) <= _da(p.hub_throughput_t, "t", p),
                      name="throughput")
    for k in range(len(p.depots)):
        sk, r = s.sel(k=k), float(n.retention[k])
        rhs = np.zeros((len(p.items), p.n_days))
        rhs[:, 0] = r * p.initial_stock[:, k]
        m.add_constraints(sk - r * sk.shift(t=1) - z.sel(k=k).shift(t=int(p.transit_days[k]))
                          + c.sel(k=k) == _da(rhs, "it", p), name=f"depot{k}")
    for f in range(len(p.families)):
        items = np.nonzero(p.item_family == f)[0]
        m.add_constraints(c.sel(i=items).sum("i") + u.sel(f=f) == _da(p.need[f], "kt", p),
                          name=f"demand{f}")
    m.add_constraints((s * mass).sum("i") <= _da(
        np.broadcast_to(p.depot_capacity_t[:, None], (len(p.depots), p.n_days)), "kt", p),
        name="capacity")
    for d in range(len(p.donors)):
        xd = x.sel(d=d).sum("i")
        m.add_constraints(xd - xd.shift(t=int(n.every[d])) - up.sel(d=d) + dn.sel(d=d) == 0,
                          name=f"smooth{d}", mask=_da(n.pairs[d], "t", p))
    m.add_objective((x * _da(cost["x"], "dit", p)).sum() + (z * _da(cost["z"], "ikt", p)).sum()
                    + (s * _da(cost["s"], "ikt", p)).sum() + (u * _da(cost["u"], "fkt", p)).sum()
                    + p.w_smoothness * (up.sum() + dn.sum()))
    if not solve:
        m.to_highspy()
        return {"build_s": time.perf_counter() - started, "solve_s": 0.0, "n_vars": int(m.nvars),
                "n_cons": int(m.ncons), "nnz": int(m.matrices.A.nnz),
                "objective": float("nan"), "status": "loaded"}
    built = time.perf_counter()
    status, condition = m.solve(solver_name="highs", io_api="direct")
    solved = time.perf_counter()
    return {"build_s": built - started, "solve_s": solved - built, "n_vars": int(m.nvars),
            "n_cons": int(m.ncons), "nnz": int(m.matrices.A.nnz),
            "objective": float(m.objective.value) + float(cost["offset"]),
            "status": f"{status}/{condition}", "highs_s": _highs_time(m)}


def _highs_time(model: Any) -> float | None:
    """HiGHS's own run time inside the solve call, when linopy exposes the solver. [s]"""
    solver = getattr(model, "solver_model", None)
    return float(solver.getRunTime()) if solver is not None else None


def _size(p: Problem, axis: str) -> int:
    return {"d": len(p.donors), "i": len(p.items), "k": len(p.depots), "f": len(p.families),
            "t": p.n_days}[axis]
