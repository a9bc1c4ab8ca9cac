"""Test helpers for the sensors tests (imported by conftest and the test modules)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from iadsim.frames import Truth
from iadsim.sensors.radar_equation import BANDS
from iadsim.sensors.rcs import RcsTableParams

CATALOG = Path(__file__).resolve().parents[2] / "src" / "iadsim" / "scenario" / "catalog"


def load_yaml(name: str) -> dict:
    return yaml.safe_load((CATALOG / name).read_text(encoding="utf-8"))


def constant_table(name: str = "const", dbsm: float = 0.0, swerling: int = 1) -> RcsTableParams:
    """An aspect- and band-independent table (test double)."""
    return RcsTableParams(
        name=name,
        swerling=swerling,
        az_rad=np.array([0.0, np.pi]),
        el_rad=np.array([0.0]),
        rcs_dbsm=np.full((len(BANDS), 1, 2), dbsm),
    )


def make_truth(
    pos_m: np.ndarray,
    vel_mps: np.ndarray | None = None,
    t_s: float = 0.0,
    ids: np.ndarray | None = None,
) -> Truth:
    """Truth rows at positions (n, 3) ENU; alt_m = u_m (flat local frame at sea level)."""
    pos = np.atleast_2d(np.asarray(pos_m, dtype=float))
    n = pos.shape[0]
    vel = np.zeros((n, 3)) if vel_mps is None else np.broadcast_to(vel_mps, (n, 3))
    return Truth(
        t_s=np.full(n, t_s),
        threat_id=np.arange(n) if ids is None else ids,
        e_m=pos[:, 0],
        n_m=pos[:, 1],
        u_m=pos[:, 2],
        ve_mps=vel[:, 0],
        vn_mps=vel[:, 1],
        vu_mps=vel[:, 2],
        alt_m=pos[:, 2],
        alive=np.ones(n, dtype=bool),
    )
