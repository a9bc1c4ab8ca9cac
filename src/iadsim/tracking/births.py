"""Two-point births of a layer's looks, computed together (:mod:`iadsim.tracking.layers`).

A look's births (:meth:`Initiation.births <iadsim.tracking.initiation.Initiation.births>`)
read and write only its own sensor's plot buffer, and a layer holds at most one look per
sensor. The births of the layer's looks that concern no track (all their plots free)
can therefore be computed before the layer is stepped, from the buffers as they are,
in one pass of array operations over the looks' buffered and new plots:
:func:`plan_births` returns per look a :class:`Planned`: the sensor's buffer after the
look, the pairs it leaves waiting for a third plot and its new tracks without ids.
The layer then steps its looks in order and, at a look's turn, commits its plan
(:meth:`Initiation.commit <iadsim.tracking.initiation.Initiation.commit>`), ids issued
then, in look order; a look that turns out to concern a track after all (an earlier
look of the layer moved or started one near it) drops its plan and takes the usual
path. Nothing is written while planning (the buffers are read, never changed), so a
dropped plan leaves no trace.

Every value is the one the look-by-look step computes: the same row-wise operations
(the pairing gate's :meth:`~iadsim.tracking.initiation.TwoPointInitiator.feasible`,
``births``, the buffer's ageing and coverage) on the same rows, the pre-gate's pairs
found by the same arithmetic as :func:`~iadsim.tracking.gating.pregate_pairs` (all
pairs of a look's plots, by distance; a look of more than 4,096 pairs calls it), the
optimal assignment solved per look, and the coverage predicates (``observed``)
evaluated for all looks at once, row by row (:func:`~iadsim.tracking.looks.covered`).
A look whose sensor has pairs waiting for a third plot is planned when none of them
finds its third plot among the look's plots (:meth:`Initiation.waiting_after
<iadsim.tracking.initiation.Initiation.waiting_after>`: most such looks in a
many-radar run, whose waiting pairs are false alarms; its pre-gate is evaluated for
all such looks at once, and only a look where a pair reaches a plot calls it);
otherwise its births take the usual path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from iadsim.numeric import norm_m
from iadsim.tracking.buffer import PlotBuffer
from iadsim.tracking.gating import gate_threshold, pregate_pairs
from iadsim.tracking.looks import Observed, covered
from iadsim.tracking.measurements import Measurements, debiased_conversion
from iadsim.tracking.plot_pairs import Pending, third_reach

if TYPE_CHECKING:
    from iadsim.tracking.initiation import Births, Initiation
    from iadsim.tracking.two_point import TwoPointInitiator

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = ["Planned", "plan_births", "pregate_looks"]

#: Pairs of one look's plots up to which the pre-gate tests every pair (as
#: :func:`~iadsim.tracking.gating.pregate_pairs` does; beyond: it is called).
_ALL_PAIRS = 4096


@dataclasses.dataclass(frozen=True)
class Planned:
    """A look's births, computed ahead: its buffer key, the buffer after the look, the
    pairs it leaves waiting for a third plot (None: none), its new tracks (None: none;
    ids issued when committed) and, when its sensor had waiting pairs, those that
    still wait after it (replacing them; None: the sensor had none)."""

    key: tuple[int, bool]
    buffer: PlotBuffer
    pending: Pending | None
    births: Births | None
    waiting: Pending | None = None


def plan_births(
    init: Initiation, raw: Measurements, cart: Measurements, sizes: I64, t_s: Sequence[float],
    bits: Sequence[int], observed: Sequence[Observed | None], todo: Sequence[int],
) -> dict[int, Planned]:  # fmt: skip
    """The births of the looks ``todo`` (indices into the layer's K looks) as
    :meth:`Initiation.births` would compute them at each look's turn, all plots free.
    ``raw``, ``cart``: the K looks' valid plots, joined (``sizes`` (K,) per look), as
    measurements at the look times and their conversions; ``t_s``, ``bits``,
    ``observed``: each look's time, sensor bit and coverage. Returns a plan per look
    (none if not two-point; none for a look one of whose sensor's waiting pairs finds
    its third plot)."""
    ini, polar = init.two_point, raw.kind == "polar"
    if ini is None:
        return {}
    first = np.cumsum(sizes) - sizes
    plots = PlotBuffer.of(raw, cart)
    waiting = _waiting(init, plots, first, sizes, t_s, bits, observed, todo)
    todo = [k for k in todo if sizes[k] and ((bits[k], polar) not in init.pending or k in waiting)]
    if not todo:
        return {}
    T = len(todo)
    nsz = sizes[todo]
    nlook = np.repeat(np.arange(T), nsz)  # the new plots' look (of todo)
    new = plots.select(_rows_of(first[todo], nsz))
    have = [init.buffers.get((bits[k], polar)) for k in todo]
    osz = np.array([0 if b is None else len(b) for b in have], dtype=np.int64)
    rows = [b.rows for b in have if b is not None]
    old = PlotBuffer(np.concatenate(rows) if rows else np.zeros((0, new.rows.shape[1])),
                     raw.ndim, polar)  # fmt: skip
    olook = np.repeat(np.arange(T), osz)
    tk = np.asarray(t_s, dtype=float)[todo]
    fresh = ~(tk[olook] - old.t_s > ini.max_age_s)  # (Initiation._aged; a copy)
    old, olook = old.select(fresh), olook[fresh]
    i, j, amb = _gate(ini, old, olook, new, nlook, T)
    wait = amb if ini.third_plot == "ambiguous" else np.full(i.shape, ini.third_plot == "always")
    go = ~wait
    born: list[Births | None] = [None] * T
    pend: list[Pending | None] = [None] * T
    if i.shape[0]:
        x, P, ll = ini.births(old, new, i, j, amb, tk[olook[i]], init.nx)
        lk = olook[i]
        if go.any():
            one = amb[go] & (ini.ambiguous_hits == 1)
            bit = np.asarray(bits, np.uint64)[todo][lk[go]]
            b_all = init.pair_births(x[go], P[go], ll[go], old.looks[i[go]], tk[lk[go]], 0,
                                     bit, one)  # fmt: skip
            for c, part in _parts(lk[go], T):
                born[c] = b_all.take(part)
        if wait.any():
            w = wait.nonzero()[0]
            p_all = Pending.of(old, new, i[w], j[w], ll[w], amb[w])
            for c, part in _parts(lk[w], T):
                pend[c] = p_all.take(part)
    bufs = _after(ini, old, olook, new, nlook, i[go], j[go], [observed[k] for k in todo], T)
    return {
        k: Planned((bits[k], polar), bufs[c], pend[c], born[c], waiting.get(k))
        for c, k in enumerate(todo)
    }


def _rows_of(first: I64, sizes: I64) -> I64:
    """Rows ``first[c]`` to ``first[c] + sizes[c]`` of each look ``c``, in look order."""
    look = np.repeat(np.arange(sizes.shape[0]), sizes)
    return first[look] + np.arange(look.shape[0]) - (np.cumsum(sizes) - sizes)[look]


def _waiting(
    init: Initiation, plots: PlotBuffer, first: I64, sizes: I64, t_s: Sequence[float],
    bits: Sequence[int], observed: Sequence[Observed | None], todo: Sequence[int],
) -> dict[int, Pending]:  # fmt: skip
    """:meth:`Initiation.waiting_after` of the looks of ``todo`` whose sensor has pairs
    waiting for a third plot (look ``k``'s plots: rows ``first[k]`` on of ``plots``),
    those that find none (the others are left out). The pre-gate of
    :func:`~iadsim.tracking.plot_pairs.match_third` is evaluated for all of them at
    once (:func:`~iadsim.tracking.plot_pairs.third_reach` per pair with its look's
    plot times and variances; radii widened by 1e-9 so that it holds every pair
    ``match_third`` would); a look whose pairs reach none of its plots keeps them all
    (coverage counted), a look whose pairs reach one calls ``waiting_after``."""
    ini, polar = init.two_point, plots.polar
    assert ini is not None
    looks = [k for k in todo if sizes[k] and (bits[k], polar) in init.pending]
    if not looks:
        return {}
    L, d = len(looks), plots.d
    tk = np.asarray(t_s, dtype=float)[looks]
    parts = [init.young_pairs((bits[k], polar), float(tk[c])) for c, k in enumerate(looks)]
    psz = np.array([len(p) for p in parts], dtype=np.int64)
    pend, plook = Pending.join(parts), np.repeat(np.arange(L), psz)
    nsz = np.asarray(sizes)[looks]
    new = plots.select(_rows_of(first[looks], nsz))
    c3 = debiased_conversion(new.raw(np.arange(len(new))))
    nfirst = np.cumsum(nsz) - nsz
    t_hi, t_lo = np.maximum.reduceat(new.t_s, nfirst), np.minimum.reduceat(new.t_s, nfirst)
    var3 = np.maximum.reduceat(np.trace(c3.R[:, :d, :d], axis1=1, axis2=2), nfirst)
    gamma = gate_threshold(d, probability=ini.gate_probability, mahalanobis=None)
    at, _, radius = third_reach(pend, t_hi[plook], t_lo[plook], var3[plook], ini.q_m2ps3, gamma)
    i, _ = pregate_looks(at, radius * (1 + 1e-9), plook, c3.z[:, :d], nfirst, nsz)
    reached = np.zeros(L, bool)
    reached[plook[i]] = True
    seen = covered([observed[k] for k in looks], plook, pend.p2)
    out: dict[int, Pending] = {}
    cut = np.cumsum(psz) - psz
    for c, k in enumerate(looks):
        if reached[c]:  # (a pair may find its third plot: the look's own call decides)
            rows = slice(int(first[k]), int(first[k] + sizes[k]))
            left = init.waiting_after((bits[k], polar), plots.select(rows), float(tk[c]),
                                      observed[k])  # fmt: skip
            if left is not None:
                out[k] = left
        else:
            out[k] = init.pairs_after(parts[c], seen[cut[c] : cut[c] + psz[c]])
    return out


def _parts(look: I64, T: int) -> list[tuple[int, slice]]:
    """(look, slice) of each look's rows of ``look`` (sorted; T looks)."""
    cut = np.searchsorted(look, np.arange(T + 1))
    return [(c, slice(int(cut[c]), int(cut[c + 1]))) for c in range(T) if cut[c + 1] > cut[c]]


def _gate(
    ini: TwoPointInitiator, old: PlotBuffer, olook: I64, new: PlotBuffer, nlook: I64, T: int
) -> tuple[I64, I64, B]:  # fmt: skip
    """:meth:`TwoPointInitiator.gate` of each look's buffered plots (``olook``) and new
    plots (``nlook``) at once, rows of ``old`` and ``new`` (pairs in look order)."""
    none = np.zeros(0, np.int64)
    if len(old) == 0:
        return none, none, np.zeros(0, bool)
    nfirst = np.searchsorted(nlook, np.arange(T + 1))
    nsz = np.diff(nfirst)
    at = nfirst[:-1]
    t_max, v_max = np.maximum.reduceat(new.t_s, at), np.maximum.reduceat(new.var, at)
    radius = ini.pair_radius(old, t_max[olook], v_max[olook])
    i, j = pregate_looks(old.pos, radius, olook, new.pos, nfirst, nsz)
    if i.shape[0] == 0:
        return none, none, np.zeros(0, bool)
    i, j, amb, dp, S, dt = ini.feasible(old, new, i, j)
    spent = old.spent[i]  # (taken: the buffer's spent plots; no new plot is yet)
    if spent.any():
        free = (~spent).nonzero()[0]
        i, j, amb, dp, S, dt = i[free], j[free], amb[free], dp[free], S[free], dt[free]
    if not (ini.one_to_one and amb.any()):
        return i, j, amb
    lk, ofirst = olook[i], np.searchsorted(olook, np.arange(T + 1))
    keep: list[I64] = []
    done = 0
    for c, part in _parts(lk, T):
        if not amb[part].any():
            continue
        a = part.start
        o, n = int(ofirst[c]), int(nfirst[c])
        pick = ini.assign(i[part] - o, j[part] - n, amb[part], (dp[part], S[part], dt[part]),
                          int(ofirst[c + 1]) - o, int(nsz[c]))  # fmt: skip
        keep += [np.arange(done, a), a + pick]
        done = part.stop
    sel = np.concatenate([*keep, np.arange(done, i.shape[0])])
    return i[sel], j[sel], amb[sel]


def pregate_looks(
    opos: F64, radius: F64, olook: I64, npos: F64, nfirst: I64, nsz: I64
) -> tuple[I64, I64]:  # fmt: skip
    """:func:`~iadsim.tracking.gating.pregate_pairs` of each look's buffered plots
    (``opos``, ``radius``, their look ``olook``) and new plots (``npos``, look ``c``'s
    rows from ``nfirst[c]``, ``nsz[c]`` of them): pairs sorted by (i, j)."""
    T = nsz.shape[0]
    big = np.bincount(olook, minlength=T) * nsz > _ALL_PAIRS
    rep = np.where(big[olook], 0, nsz[olook])
    i = np.repeat(np.arange(olook.shape[0]), rep)
    j = nfirst[olook[i]] + np.arange(i.shape[0]) - np.repeat(np.cumsum(rep) - rep, rep)
    ok = norm_m(opos[i] - npos[j]) <= radius[i]  # (pregate_pairs' test, pair by pair)
    i, j = i[ok], j[ok]
    if not big.any():
        return i, j
    ofirst = np.searchsorted(olook, np.arange(T + 1))
    ii, jj = [i], [j]
    for c in big.nonzero()[0]:
        o, n = int(ofirst[c]), int(nfirst[c])
        a, b = pregate_pairs(opos[o : ofirst[c + 1]], radius[o : ofirst[c + 1]],
                             npos[n : n + nsz[c]])  # fmt: skip
        ii.append(a + o)
        jj.append(b + n)
    i, j = np.concatenate(ii), np.concatenate(jj)
    order = np.lexsort((j, i))
    return i[order], j[order]


def _after(
    ini: TwoPointInitiator, old: PlotBuffer, olook: I64, new: PlotBuffer, nlook: I64, i: I64,
    j: I64, observed: list[Observed | None], T: int,
) -> list[PlotBuffer]:  # fmt: skip
    """Each look's buffer after it (``Initiation.births``' last steps): its buffered
    plots without those that paired (``i``; or marked spent) and covered by its look
    (``observed``), those out of looks gone, then its new plots that did not pair (``j``).
    ``old`` and ``new`` are written (copies of the tracker's)."""
    used_o, used_n = np.zeros(len(old), bool), np.zeros(len(new), bool)
    used_o[i], used_n[j] = True, True
    if ini.marks_spent:  # (Initiation._spent)
        old.spend(used_o)
        new.spend(used_n)
        used_o[:], used_n[:] = False, False
    keep_o = ~used_o
    seen = np.ones(len(old), bool)  # (Initiation._covered, each look's predicate)
    kept = keep_o.nonzero()[0]
    seen[kept] = covered(observed, olook[kept], old.pos[kept])
    old.covered(seen)
    keep_o &= old.looks < ini.max_looks
    rows = np.concatenate([old.rows[keep_o], new.rows[~used_n]])
    look = np.concatenate([olook[keep_o], nlook[~used_n]])
    order = np.argsort(look, kind="stable")
    rows = rows[order]
    cut = np.searchsorted(look[order], np.arange(T + 1))
    return [PlotBuffer(rows[cut[c] : cut[c + 1]], old.d, old.polar) for c in range(T)]
