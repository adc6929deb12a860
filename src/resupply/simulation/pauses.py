"""Donor pauses in the simulation: dated (the scenario's, as planned) and random.

A paused donor dispatches nothing: what it may send that day (`DayView.available`) is zero, so
no policy can take from it and greedy dispatch turns to the other donors. Production keeps
accumulating; once the pause is over, the donor may send the backlog (the policies ask for
it: their inventory positions fell while it was away; a plan's missed tranches are caught
up). What was already on its way when the pause began still arrives.

Random pauses are a two-state Markov chain per run and donor (an up/down or Gilbert-Elliott
process): a donor that sent on day t-1 stops on day t with probability p
(`Problem.pause_prob`); a paused donor resumes on day t with probability q
(`Problem.resume_prob`). Every donor is up before day 0. In the long run a donor is up a share
``q / (p + q)`` of the days, pauses last ``1 / q`` days on average (geometric) and runs of
sending ``1 / p`` days (e.g. Ross, *Introduction to Probability Models*, ch. 4, two-state
chains). ``SimOptions(pauses=False)`` switches them off; dated pauses always hold.
"""

from __future__ import annotations

import numpy as np

from resupply.compile.problem import F64, Bool
from resupply.simulation.draws import ChunkDraws


def next_down(down: Bool, uniform: F64, stop: F64, resume: F64) -> Bool:
    """[r, d] paused today, from yesterday's ``down`` [r, d] and uniforms [r, d] in [0, 1):
    an up donor stops when ``u < stop[d]``, a paused one stays paused unless
    ``u < resume[d]``."""
    result: Bool = np.where(down, uniform >= resume[None, :], uniform < stop[None, :])
    return result


def advance(down: Bool, draws: ChunkDraws, stop: F64, resume: F64) -> Bool:
    """Today's random pauses [r, d]; draws nothing when no donor ever stops (so scenarios
    without random pauses draw the same numbers as before they existed)."""
    if not stop.any():
        return down
    return next_down(down, draws.uniform((len(stop),)), stop, resume)


def paused(down: Bool, dated: Bool, t: int) -> Bool:
    """[r, d] donors that dispatch nothing on day t: random (``down`` [r, d]) or dated
    (``dated`` [d, t], `Problem.donor_paused`)."""
    result: Bool = down | dated[None, :, t]
    return result
