"""Checks that the files ``iadsim score`` is given belong together: plots of the
truth's own targets at the times it has them alive, and tracks on the truth's time
base. Each failure is a one-line :class:`~iadsim.errors.InputDataError` naming the
file and the column."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from iadsim.errors import InputDataError

if TYPE_CHECKING:
    from iadsim.analysis.trackfiles import TrackFile, TruthFile

__all__ = ["check_coverage_targets", "check_time_overlap"]


def check_coverage_targets(coverage: Any, detections: Path | None, truth_file: Any) -> None:
    """Refuse coverage windows of plots that cannot be of this truth: a target the truth
    does not have, or plots of a target outside the times the truth has it alive
    (another run's detections: ids are indices, so any two runs share some; scored,
    they gave continuity over a few of the targets and no warning)."""
    import numpy as np

    from iadsim.analysis.metrics.coverage import coverage_windows

    if coverage is None or detections is None or not coverage.truth_id.size:
        return
    truth = truth_file.truth
    live = truth.alive
    ids, t = truth.threat_id[live], truth.t_s[live]
    known = np.isin(coverage.truth_id, ids)
    if not known.all():
        bad = int(coverage.truth_id[~known][0])
        raise InputDataError(
            f"{detections.name}: column 'truth_id': target {bad} is not a live target of "
            f"{truth_file.file} (are they of the same run?)"
        )
    step = np.diff(np.unique(t))
    slack = 2.0 * float(step.max()) if step.size else 0.0  # plots between truth samples
    alive = coverage_windows(t, ids)  # each target's first and last live truth time
    at = np.searchsorted(alive.truth_id, coverage.truth_id)  # (all known: checked above)
    t_lo, t_hi = alive.t_first_s[at], alive.t_last_s[at]
    out = (coverage.t_first_s < t_lo - slack) | (coverage.t_last_s > t_hi + slack)
    if out.any():
        k = int(np.flatnonzero(out)[0])
        raise InputDataError(
            f"{detections.name}: column 't_s': target {int(coverage.truth_id[k])} has plots "
            f"at {coverage.t_first_s[k]:.6g}..{coverage.t_last_s[k]:.6g} s, but "
            f"{truth_file.file} has it alive at {t_lo[k]:.6g}..{t_hi[k]:.6g} s only "
            "(are they of the same run?)"
        )


def check_time_overlap(
    track_file: TrackFile, truth_file: TruthFile, time_match: str, time_tol: float
) -> None:
    """Refuse tracks none of whose times the truth covers (another time base: seconds
    of day against seconds of the run, an epoch): scored, they would read "every target
    missed" with nothing compared (the score adds the truth's own times in the gap)."""
    import numpy as np

    kt = np.unique(track_file.tracks.t_s)
    tt = np.unique(truth_file.truth.t_s)
    if kt.size == 0 or tt.size == 0:
        return
    if time_match == "nearest":
        j = np.clip(np.searchsorted(tt, kt), 1, max(tt.size - 1, 1))
        gap = np.minimum(np.abs(tt[np.minimum(j, tt.size - 1)] - kt), np.abs(tt[j - 1] - kt))
        ok, how = bool((gap <= time_tol).any()), f"within {time_tol:g} s of a truth time"
    else:
        ok, how = bool(((kt >= tt[0]) & (kt <= tt[-1])).any()), "inside the truth time span"
    if not ok:
        raise InputDataError(
            f"{track_file.file}: column 'time': no track time {how} of {truth_file.file} "
            f"(tracks {kt[0]:.6g}..{kt[-1]:.6g} s, truth {tt[0]:.6g}..{tt[-1]:.6g} s: "
            "another time base?)"
        )
