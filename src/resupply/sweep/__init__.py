"""The sweep face: variants of a scenario run as tasks on Dask (a local cluster by default,
any scheduler by address). What a variant is and how the table is kept lives in
`resupply.workflow.sweep`; this package only connects to Dask and feeds it.
"""

from resupply.sweep.dask_exec import DaskExecutor, connect

__all__ = ["DaskExecutor", "connect"]
