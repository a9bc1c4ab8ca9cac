"""A wave's looks in *layers*: consecutive looks of distinct sensors processed together.

:func:`iadsim.tracking.wave.step_looks` cuts a wave (the looks a pipeline hands its
tracker between two reads of the picture) into layers (:func:`cut_layers`: consecutive
looks, at most one per sensor, times not decreasing) and hands each layer to
:func:`step_layer`, which returns exactly what the looks one by one would have
returned and leaves the tracker exactly as they would have (bit for bit).

Most looks of a many-radar run concern no track: no track their sensor holds lies in
their coverage and none lies within pre-gate reach of their plots
(:func:`~iadsim.tracking.looks.look_rows`). :func:`step_layer` converts the layer's
plots in one call and finds the tracks each look concerns in one array computation
over (looks, tracks) (:func:`concerned`), from the tracks as they were before the
layer; a look is then processed in order, without its own search, when that found
nothing and none of the tracks the layer's earlier looks moved or started
(re-tested as they are now) concerns it either. Every other look is processed as
:meth:`Tracker.step <iadsim.tracking.tracker.Tracker.step>` or :meth:`Tracker.miss
<iadsim.tracking.tracker.Tracker.miss>` would, with the layer's conversion of its plots.
The births of the looks found quiet are computed for the layer at once, before it is
stepped (:mod:`iadsim.tracking.births`), and the tracks they start are tested against
the layer's later looks in one call; track management (confirmation, deletion) and
the per-look output stay per look. The search is row-wise with look-wide terms (each
look's plot extent, largest plot variance), which is what makes the two forms equal:
a look whose plots and tracks would make :func:`~iadsim.tracking.gating.near_plots`
skip its pairwise refinement (more than :data:`~iadsim.tracking.gating.ALL_PAIRS_MAX`
pairs) takes the full path.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections
from iadsim.numeric import norm_m
from iadsim.tracking import looks
from iadsim.tracking.gating import ALL_PAIRS_MAX
from iadsim.tracking.management import TrackBook
from iadsim.tracking.measurements import Measurements, standard_conversion, trace_of_block
from iadsim.tracking.roles import FilterState

if TYPE_CHECKING:
    from iadsim.tracking.tracker import Tracker
    from iadsim.tracking.wave import Look

F64 = NDArray[np.float64]
B = NDArray[np.bool_]
I64 = NDArray[np.int64]

__all__ = [
    "ALL_PAIRS_MAX",
    "LayerPlots",
    "concerned",
    "cut_layers",
    "layer_plots",
    "layered",
]


def layered(tracker: Tracker) -> bool:
    """Whether ``tracker``'s looks may go in layers (one group of plots per look)."""
    return not tracker.parts.use_rdot


def cut_layers(wave: Sequence[Look]) -> list[slice]:
    """The wave's looks in layers, in order: a layer is a run of consecutive looks of
    distinct sensors whose times do not decrease (a look of no sensor, None, is a
    layer of its own)."""
    out: list[slice] = []
    start, sensors, t_last = 0, set[int](), -math.inf
    for k, look in enumerate(wave):
        s = look.sensor_id
        if s is None or s in sensors or look.t_s < t_last:
            if k > start:
                out.append(slice(start, k))
            start, sensors = k, set()
        if s is None:  # (a look of no sensor: a layer of its own)
            out.append(slice(k, k + 1))
            start = k + 1
        else:
            sensors.add(s)
        t_last = look.t_s
    if len(wave) > start:
        out.append(slice(start, len(wave)))
    return out


@dataclasses.dataclass(frozen=True)
class LayerPlots:
    """The valid plots of a layer's K looks with plots: per look, the measurements at
    its time (``raws``) and their conversions (``carts``, as ``Tracker.step`` makes
    them), both also joined (``raw``, ``cart``; ``d`` position axes), and what the
    search for the tracks they concern needs, per look (K,) or per plot (M,) over the
    looks that have valid plots (``full`` (K,)): ``first``
    plot row, ``det`` (M, d) positions, ``r_var`` (M,) ``tr R``, ``offsets`` the
    plots lie at their own times (``dt_min``, ``dt_max``), ``r_max`` the largest
    ``tr R``, ``lo``, ``hi`` (K, d) the plots' box; ``nz`` measurement size."""

    raws: list[Measurements]
    carts: list[Measurements]
    raw: Measurements
    cart: Measurements
    d: int
    nz: int
    full: B
    sizes: I64
    first: I64
    det: F64
    r_var: F64
    offsets: B
    dt_min: F64
    dt_max: F64
    r_max: F64
    lo: F64
    hi: F64


def layer_plots(tracker: Tracker, dets: list[Detections], t_s: list[float]) -> LayerPlots:
    """Each look's valid plots as measurements at its time (``Tracker.step`` with
    ``batch``) and their conversions ``standard_conversion(filter.prepare(raw))``,
    converted in one call, with their summaries (:class:`LayerPlots`)."""
    sizes = np.array([len(d) for d in dets], dtype=np.int64)
    both = Detections.concat(dets)
    ok = looks.valid_rows(both)  # (the rows each look's valid_plots keeps, in order)
    if not ok.all():
        sizes = np.bincount(np.repeat(np.arange(sizes.shape[0]), sizes)[ok], minlength=len(dets))
        both = both.select(ok)
    ref = np.repeat(np.asarray(t_s, dtype=float), sizes)
    d = tracker.parts.filter.ndim
    raw = Measurements.from_detections(both, ndim=d, use_rdot=False)  # (plot times)
    t = raw.t_s
    raw = Measurements(t_s=ref, z=raw.z, R=raw.R, sensor_m=raw.sensor_m, kind="polar", ndim=d,
                       dt_s=t - ref)  # fmt: skip  # (from_detections with t_ref_s, per look)
    prepared = tracker.parts.filter.prepare(raw)
    cart = standard_conversion(prepared)
    raws: list[Measurements] = []
    carts: list[Measurements] = []
    cut = np.concatenate([[0], np.cumsum(sizes)])
    for a, b in itertools.pairwise(cut):
        for mm, to in ((raw, raws), (cart, carts)):
            to.append(Measurements(
                t_s=mm.t_s[a:b], z=mm.z[a:b], R=mm.R[a:b], sensor_m=mm.sensor_m[a:b],
                kind=mm.kind, ndim=d, dt_s=None if mm.dt_s is None else mm.dt_s[a:b],
            ))  # fmt: skip
    full = sizes > 0
    at = cut[:-1][full]  # first rows of the looks with plots (reduceat's segments)
    dt = np.zeros(len(cart)) if cart.dt_s is None else cart.dt_s
    det, r_var = cart.z[:, :d], trace_of_block(cart.R, d)
    return LayerPlots(
        raws, carts, raw, cart, d, int(prepared.z.shape[1]), full, sizes, cut[:-1], det, r_var,
        np.add.reduceat(dt != 0, at) > 0 if at.shape[0] else np.zeros(0, bool),
        *(f.reduceat(a, at, axis=0) if at.shape[0] else np.zeros((0, *a.shape[1:]))
          for f, a in ((np.minimum, dt), (np.maximum, dt), (np.maximum, r_var),
                       (np.minimum, det), (np.maximum, det))),
    )  # fmt: skip


def concerned(
    bank: FilterState, book: TrackBook, d: int, t_s: F64, bits: NDArray[np.uint64],
    observed: list[looks.Observed | None], plots: LayerPlots | None, which: I64, scale: float,
) -> B:  # fmt: skip
    """(K, n) the tracks each of K looks concerns, as
    :func:`~iadsim.tracking.looks.look_rows` finds them one look at a time (the same
    operations on the same values, over (look, track) arrays): held by the look's
    sensor (``bits`` (K,)) and covered by ``observed`` at the position extrapolated
    to the look's time ``t_s`` (K,), or within pre-gate reach (``scale``) of one of
    its plots: those of look ``which[k]`` (-1: none) of ``plots`` (its looks with
    valid plots). ``bank``, ``book``: the tracks (n rows: the live ones or some), ``d``
    position axes. Each look's plots times the live tracks must stay within
    :data:`~iadsim.tracking.gating.ALL_PAIRS_MAX`."""
    x, P = bank.x, bank.P
    dt = np.maximum(t_s[:, None] - book.t_s[None, :], 0.0)  # (K, n)
    out = (book.sensors[None, :] & bits[:, None]) != 0
    kk, rr = out.nonzero()
    if kk.shape[0]:
        ext = x[rr, :d] + x[rr, d : 2 * d] * dt[kk, rr][:, None]
        out[kk, rr] = looks.covered(observed, kk, ext)
    got = (which >= 0).nonzero()[0]
    if plots is not None and got.shape[0] and x.shape[0]:
        out[got] |= _near(x, P, d, dt[got], plots, which[got], scale)
    return out


def _near(x: F64, P: F64, d: int, dt: F64, pl: LayerPlots, w: I64, scale: float) -> B:
    """(L, n): :func:`~iadsim.tracking.gating.near_plots` of the plots of looks ``w``
    (L,) of ``pl`` and the tracks ``dt`` (L, n) ahead, as
    :func:`~iadsim.tracking.looks.look_rows` calls it (its two branches: plots at their
    own times, or all at the look time)."""
    n, L = x.shape[0], dt.shape[0]
    v = x[:, d : 2 * d]
    t_pos, t_vel = trace_of_block(P, d), trace_of_block(P, d, d)
    pos, var = np.empty((L, n, d)), np.empty((L, n))
    offs, flat = pl.offsets[w], ~pl.offsets[w]
    if offs.any():  # offset_pregate over each look's plot offsets
        ahead, wo = dt[offs], w[offs]
        lo, hi = ahead + pl.dt_min[wo, None], ahead + pl.dt_max[wo, None]
        mid = 0.5 * (lo + hi)
        far = np.maximum(np.abs(lo), np.abs(hi))
        pos[offs] = x[None, :, :d] + mid[:, :, None] * v[None]
        vb = 2.0 * (t_pos + far * far * t_vel)
        s = 0.5 * (hi - lo) * np.sqrt(np.einsum("ni,ni->n", v, v)) / scale
        var[offs] = vb + s * s + 2.0 * s * np.sqrt(vb + pl.r_max[wo, None])
    if flat.any():
        ahead = dt[flat]
        pos[flat] = x[None, :, :d] + v[None] * ahead[:, :, None]
        var[flat] = 2.0 * (t_pos + ahead * ahead * t_vel)
    # near_box of each look's plots
    gap = np.maximum(np.maximum(pl.lo[w, None, :] - pos, pos - pl.hi[w, None, :]), 0.0)
    reach = scale * np.sqrt(var + pl.r_max[w, None]) * (1.0 + 1e-9) + 1e-6
    sq = gap[..., 0] * gap[..., 0]
    for k in range(1, d):
        sq += gap[..., k] * gap[..., k]
    lb, rb = (sq <= reach * reach).nonzero()
    # the pairwise refinement (pregate_pairs_var, all pairs) of the boxes' tracks
    full_rows = pl.first[pl.full]  # first plot row of each look of w
    reps = pl.sizes[pl.full][w[lb]]
    start = np.cumsum(reps) - reps
    j = np.repeat(full_rows[w[lb]] - start, reps) + np.arange(int(reps.sum()))
    li, ri = np.repeat(lb, reps), np.repeat(rb, reps)
    dist = norm_m(pos[li, ri] - pl.det[j, :d])
    ok = dist <= scale * np.sqrt(var[li, ri] + pl.r_var[j])
    out = np.zeros((L, n), bool)
    out[li[ok], ri[ok]] = True
    return out
