"""Engine layer: the optimal tranche plan, built as sparse matrices and solved with HiGHS.

`plan` takes a compiled `Problem` (or a scenario) and returns a `PlanResult`; no ``highspy``
object leaves this package. The model is a table of contents: `variables` (what is decided),
`constraints` (one function per constraint family, its equation in the docstring) and `model`
(objective and assembly); `solve` runs HiGHS under a wall-clock limit; `explain` says why a plan
runs short or why there is none.
"""

from resupply.planning.actuals import load_actuals
from resupply.planning.api import plan
from resupply.planning.options import Actuals, Buffers, PlanOptions
from resupply.planning.result import PlanResult
from resupply.planning.status import Status

__all__ = ["Actuals", "Buffers", "PlanOptions", "PlanResult", "Status", "load_actuals", "plan"]
