"""Monte Carlo campaigns: many seeded runs of a scenario over a parameter sweep.

A campaign is a list of tasks ``(sweep point, replicate)``; each task gets its own
seed from ``SeedSequence(root, spawn_key=(point_id, replicate))`` and runs the same
task function in-process, in a local process pool or on a Dask cluster. Results
are appended to a campaign directory as Parquet parts, so an interrupted campaign
resumes without losing or repeating a task.

Modules
-------
definition
    Campaign YAML model (pydantic) and ``--sweep`` argument parsing.
sweep
    Field paths (``threats[0].route[1].speed_mps``), overrides, grid/zip points.
seeds
    Per-task seeds.
tasks
    :class:`CampaignTask`, :class:`TaskResult`, :func:`run_task`.
backends
    In-process, local process pool and Dask backends with a sliding window.
store
    Campaign directory: manifest, Parquet parts, resume bookkeeping, DuckDB views.
summarize
    Per-point means with Student-t intervals and Wilson score intervals.
runner
    :func:`plan_campaign` and :func:`run_campaign`.
"""

from __future__ import annotations
