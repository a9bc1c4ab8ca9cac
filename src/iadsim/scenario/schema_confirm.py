"""Track confirmation of two-point initiation: ``initiation: {kind: two_point, confirm: ...}``.

A two-point track starts from a pair of plots (:mod:`iadsim.tracking.two_point`); its
confirmer decides when the tentative track becomes firm. ``confirm`` chooses it by
``kind`` from the registry :data:`CONFIRMERS`:

- ``m_of_n`` (the default): the block's ``m`` hits in ``n`` looks, the pair counting as
  two hits (:class:`~iadsim.tracking.MOfN`). Every hit counts alike, a neighbour's plot
  far out in the gate as much as the aircraft's own.
- ``score``: Wald's sequential probability ratio test on the track score (the log
  likelihood ratio target vs false alarm; Blackman and Popoli 1999, sec. 6.2;
  :class:`~iadsim.tracking.ScoreConfirmer`), which weighs each hit by its likelihood,
  so a poor hit adds less evidence than a good one. The pair starts with the score of
  its two plots: the first plot's ``ln(lambda_NT / lambda_FA)``, the second's ``ln P_D +
  ln N(p2 - p1; 0, R1 + R2 + dt^2 sigma_v^2 I) - ln lambda_FA`` (the likelihood of the
  second plot predicted from the first under the velocity prior ``velocity_sigma_mps``:
  the update of a single-point track of the first plot, Blackman and Popoli 1999, sec.
  6.2), and ``ln(1 - P_D)`` per look that covered the first plot without a partner
  (:func:`~iadsim.tracking.plot_pairs.new_book`). Densities are per unit measurement
  volume: for polar plots per m rad^2 (range, azimuth, elevation); the pair's Cartesian
  likelihood is carried over by ``ln(r^2 cos el)``, the Jacobian of the conversion, so
  both hits and later updates (an EKF or UKF on polar plots) are in one volume. A
  filter that updates in converted Cartesian coordinates (``kf``, ``cmkf``) gives later
  hits per m^3, and radial velocity (``use_radial_velocity``) adds an axis: with those
  the densities mix volumes (not checked).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from iadsim.scenario.base import Model
from iadsim.scenario.registry import KindModel, Registry
from iadsim.tracking import MOfN, ScoreConfirmer
from iadsim.tracking.roles import Confirmer

__all__ = ["CONFIRMERS", "MOfNConfirm", "ScoreConfirm", "ScoreFields"]

#: Confirmation of two-point tracks; compile(cfg, m, n) -> Confirmer (m, n: the block's).
CONFIRMERS: Registry[Confirmer] = Registry(
    "two-point track confirmation", context="m: int, n: int", default="m_of_n"
)

Prob = Annotated[float, Field(gt=0.0, lt=1.0)]
Pos = Annotated[float, Field(gt=0.0)]


class ScoreFields(Model):
    """The SPRT's figures: detection probability ``pd``, false-alarm density
    ``clutter_density`` and new-target density ``new_target_density`` per unit
    measurement volume (and look), the test's error probabilities
    ``false_track_probability`` (alpha: confirm a false track) and
    ``true_track_deletion_probability`` (beta: drop a true one); thresholds
    ``ln((1 - beta) / alpha)`` and ``ln(beta / (1 - alpha))``."""

    pd: Prob = 0.9
    clutter_density: Pos = 1e-9
    new_target_density: Pos = 1e-10
    false_track_probability: Prob = 1e-4
    true_track_deletion_probability: Prob = 0.05

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Self:
        a, b = self.false_track_probability, self.true_track_deletion_probability
        if a + b >= 1.0:
            raise ValueError(
                f"false_track_probability: must be < 1 - true_track_deletion_probability"
                f" (got {a:g} and {b:g}: the confirmation threshold would not exceed the"
                f" deletion threshold)"
            )
        return self

    def confirmer(self) -> ScoreConfirmer:
        """The :class:`~iadsim.tracking.ScoreConfirmer` of these figures."""
        return ScoreConfirmer(
            pd=self.pd,
            clutter_density=self.clutter_density,
            new_target_density=self.new_target_density,
            alpha=self.false_track_probability,
            beta=self.true_track_deletion_probability,
        )


@CONFIRMERS.register(example={"kind": "m_of_n"}, compile=lambda c, m, n: MOfN(m=m, n=n))
class MOfNConfirm(KindModel):
    """M-of-N: the two-point block's ``m`` hits in its last ``n`` looks (the pair counts
    as two hits)."""

    kind: Literal["m_of_n"] = "m_of_n"


_SCORE_EXAMPLE = {"kind": "score", "pd": 0.8, "clutter_density": 1e-5,
                  "new_target_density": 3e-8, "false_track_probability": 1e-6}  # fmt: skip


@CONFIRMERS.register(example=_SCORE_EXAMPLE, compile=lambda c, m, n: c.confirmer())
class ScoreConfirm(KindModel, ScoreFields):
    """SPRT on the track score (Blackman and Popoli 1999, sec. 6.2), the pair starting
    with its two plots' score (module doc); ``m`` and ``n`` of the block then only size
    the plot buffer (``max_looks``)."""

    kind: Literal["score"] = "score"
