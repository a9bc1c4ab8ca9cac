"""Freed memory handed back to the operating system during and after a long run.

A run frees many arrays of a few hundred kB to a few MB (per-look frames, joined
parts, the tracker's temporaries). glibc's allocator keeps such freed memory in its
heaps (its mmap threshold rises with every large block freed, so later blocks of that
size come from the heap and fragment it) and returns it only on request: at 1,000
threats about 80 MB of a run's resident memory at its end is freed memory held this
way. :func:`release_free_memory` asks for it back (``malloc_trim``, ~1 ms) and
releases what Arrow's memory pool keeps unused. It changes no value; elsewhere than on
glibc it only releases Arrow's pool.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable

import pyarrow as pa

__all__ = ["TRIM_EVERY_S", "release_free_memory", "releasing"]

#: Simulated seconds between two :func:`release_free_memory` calls during a run.
TRIM_EVERY_S = 30.0


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where there is none."""
    try:  # the process's own symbols (libc among them): no library search, which
        # runs ldconfig in a subprocess
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


def release_free_memory() -> None:
    """Return freed heap memory to the operating system (no value changes)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    pa.default_memory_pool().release_unused()


def releasing(
    progress: Callable[[float], None] | None, every_s: float = TRIM_EVERY_S
) -> Callable[[float], None]:
    """A progress callback for :meth:`iadsim.sim.engine.Engine.run`: ``progress(t_s)``
    (if given), and :func:`release_free_memory` once every ``every_s`` simulated s."""
    next_s = [every_s]

    def tick(t_s: float) -> None:
        if progress is not None:
            progress(t_s)
        if t_s >= next_s[0]:
            next_s[0] = t_s + every_s
            release_free_memory()

    return tick
