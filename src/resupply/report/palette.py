"""Fixed colours: one hue family per standard, one shade per family, the same in every chart.

Colours depend only on the order of standards and families in the scenario, so the same
scenario always gets the same colours, across charts, reports and runs.
"""

from __future__ import annotations

from resupply.compile import Problem

STANDARD_SHADES: tuple[tuple[str, ...], ...] = (
    ("#b2182b", "#d6604d", "#f4a582", "#8c2d04", "#e08214", "#fdb863"),  # reds, oranges
    ("#2166ac", "#4393c3", "#92c5de", "#1b7837", "#5aae61", "#a6dba0"),  # blues, greens
    ("#762a83", "#9970ab", "#c2a5cf", "#543005", "#8c510a", "#bf812d"),  # purples, browns
    ("#01665e", "#35978f", "#80cdc1", "#4d4d4d", "#878787", "#bababa"),  # teals, greys
)
"""Shades for the families of the 1st, 2nd... standard (cycled when there are more)."""


def standard_colors(problem: Problem) -> dict[str, str]:
    """Standard id -> its main colour."""
    return {s: STANDARD_SHADES[n % len(STANDARD_SHADES)][0]
            for n, s in enumerate(problem.standards)}


def family_colors(problem: Problem) -> dict[str, str]:
    """Family id -> colour: a shade of its standard's hue, in the family's order within it."""
    colors: dict[str, str] = {}
    seen = [0] * len(problem.standards)
    for f, fam in enumerate(problem.families):
        s = int(problem.family_standard[f])
        shades = STANDARD_SHADES[s % len(STANDARD_SHADES)]
        colors[fam] = shades[seen[s] % len(shades)]
        seen[s] += 1
    return colors
