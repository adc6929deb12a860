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
    sizes = {a: _size(p, a) for a in dims}
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

    x, g, h = var("x", "dit", n.x), var("g", "dit"), var("h", "int")
    z, s, c = var("z", "iat", n.z), var("s", "ikt"), var("c", "ikt")
    u, up, dn = var("u", "fkt"), var("up", "dt", n.pairs), var("dn", "dt", n.pairs)
    xb = var("xb", "bit", n.xb) if n.split.any() else None
    first = np.zeros((len(p.donors), len(p.items), p.n_days))
    first[:, :, 0] = p.donor_stock
    m.add_constraints(g - g.shift(t=1) + x == _da(p.donor_production + first, "dit", p),
                      name="donor")
    mass = _da(p.item_mass_t, "i", p)
    _network(m, p, n, {"x": x, "xb": xb, "h": h, "z": z})
    for k in range(len(p.depots)):
        sk, r = s.sel(k=k), float(n.retention[k])
        rhs = np.zeros((len(p.items), p.n_days))
        rhs[:, 0] = r * p.initial_stock[:, k]
        into = [1.0 * z.sel(a=a).shift(t=int(p.route_transit_days[a]))
                for a in np.nonzero(p.route_depot == k)[0]]
        leaving = np.nonzero(p.route_from_depot == k)[0]
        lhs = sk - r * sk.shift(t=1) - (into[0] if len(into) == 1 else linopy.merge(into)) \
            + c.sel(k=k)
        if len(leaving):
            lhs = lhs + z.sel(a=leaving).sum("a")
        m.add_constraints(lhs == _da(rhs, "it", p), name=f"depot{k}")
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
    objective = ((x * _da(cost["x"], "dit", p)).sum() + (z * _da(cost["z"], "iat", p)).sum()
                 + (s * _da(cost["s"], "ikt", p)).sum() + (u * _da(cost["u"], "fkt", p)).sum()
                 + p.w_smoothness * (up.sum() + dn.sum()))
    if (cost["h"] != 0).any():
        objective = objective + (h * _da(cost["h"], "int", p)).sum()
    if xb is not None:
        objective = objective + (xb * _da(cost["xb"], "bit", p)).sum()
    m.add_objective(objective)
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


def _network(m: Any, p: Problem, n: Any, v: dict[str, Any]) -> None:
    """Supply split, hub balance and throughput per hub, route capacities."""
    import linopy

    x, xb, h, z = v["x"], v["xb"], v["h"], v["z"]
    mass = _da(p.item_mass_t, "i", p)
    for d in np.nonzero(n.split)[0] if xb is not None else ():
        routes = np.nonzero(p.supply_donor == d)[0]
        m.add_constraints(x.sel(d=d) - xb.sel(b=routes).sum("b") == 0, name=f"split{d}",
                          mask=_da(n.x[d], "it", p))
    for hub in range(len(p.hubs)):
        arriving = _arriving(p, n, x, xb, hub)
        out = z.sel(a=np.nonzero(p.route_from_hub == hub)[0]).sum("a")
        keep = float(n.hub_retention[hub])
        m.add_constraints(h.sel(n=hub) - keep * h.sel(n=hub).shift(t=1)
                          - linopy.merge(arriving) + out == 0, name=f"hub{hub}")
    for hub in range(len(p.hubs)):
        out_t = (z.sel(a=np.nonzero(p.route_from_hub == hub)[0]) * mass).sum(["i", "a"])
        m.add_constraints(out_t <= _da(p.hub_limit_t[hub], "t", p), name=f"throughput{hub}")
    capped = np.nonzero(np.isfinite(p.route_capacity_t).all(axis=1))[0]
    if len(capped):
        m.add_constraints((z.sel(a=capped) * mass).sum("i") <= xr.DataArray(
            p.route_capacity_t[capped], coords={"a": capped, "t": pd.RangeIndex(p.n_days,
                                                                                name="t")},
            dims=["a", "t"]), name="route_capacity")


def _highs_time(model: Any) -> float | None:
    """HiGHS's own run time inside the solve call, when linopy exposes the solver. [s]"""
    solver = getattr(model, "solver_model", None)
    return float(solver.getRunTime()) if solver is not None else None


def _size(p: Problem, axis: str) -> int:
    return {"d": len(p.donors), "i": len(p.items), "k": len(p.depots), "f": len(p.families),
            "t": p.n_days, "n": len(p.hubs), "a": len(p.route_ids),
            "b": len(p.supply_ids)}[axis]


def _arriving(p: Problem, n: Any, x: Any, xb: Any, hub: int) -> list[Any]:
    """What reaches ``hub`` each day: x of one-route donors and xb of the others, shifted by
    the route's transit, one term per transit time (grouped, as the one-hub model by lead)."""
    into = np.nonzero(p.supply_hub == hub)[0]
    single = into[~n.split[p.supply_donor[into]]]
    several = into[n.split[p.supply_donor[into]]]
    out = []
    for lead in np.unique(p.supply_transit_days[single]):
        donors = p.supply_donor[single[p.supply_transit_days[single] == lead]]
        out.append(x.sel(d=donors).sum("d").shift(t=int(lead)))
    for lead in np.unique(p.supply_transit_days[several]):
        routes = several[p.supply_transit_days[several] == lead]
        out.append(xb.sel(b=routes).sum("b").shift(t=int(lead)))
    return out
