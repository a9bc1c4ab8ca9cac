"""CAT062 system tracks: what iadsim writes decodes (with libasterix) to the track
values within half the specification's LSB, with the status bits set as documented.

Reference: EUROCONTROL-SPEC-0149-9, ASTERIX Part 9 Category 062 SDPS Track Messages,
edition 1.20: I062/070 LSB 1/128 s; I062/105 LSB 180/2^25 deg; I062/100 LSB 0.5 m;
I062/185 LSB 0.25 m/s; I062/130 LSB 6.25 ft; I062/220 LSB 6.25 ft/min; I062/500 APC
LSB 0.5 m.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

gen = pytest.importorskip("asterix.generated")

from asterix.base import Bits, RawDatablock  # noqa: E402

from iadsim.analysis.asterix.cat062 import LSB  # noqa: E402
from iadsim.analysis.asterix.export import tracks_to_cat062  # noqa: E402
from iadsim.frames import Tracks, TrackStatus  # noqa: E402
from iadsim.geo import enu2geodetic  # noqa: E402

FT = 0.3048


def _tracks(rng: np.random.Generator, n: int = 300) -> Tracks:
    ids = np.sort(rng.integers(0, 70_000, n))
    z = rng.uniform(-1, 1, (n, 3))
    return Tracks(
        t_s=np.sort(rng.uniform(0, 90_000, n)), track_id=ids,
        status=rng.integers(0, 4, n).astype(np.int8),
        e_m=z[:, 0] * 400e3, n_m=z[:, 1] * 400e3, u_m=(z[:, 2] + 1) * 15e3,
        ve_mps=rng.uniform(-900, 900, n), vn_mps=rng.uniform(-900, 900, n),
        vu_mps=rng.uniform(-200, 200, n), var_e_m2=rng.uniform(1, 1e6, n),
        var_n_m2=rng.uniform(1, 1e6, n), var_u_m2=np.ones(n), var_ve_m2ps2=np.ones(n),
        var_vn_m2ps2=np.ones(n), var_vu_m2ps2=np.ones(n), quality=np.ones(n),
    )  # fmt: skip


def _q(item, *path, unit):  # type: ignore[no-untyped-def]
    v = item.variation
    for name in path:
        v = v.get_item(name).variation
    return v.content.as_quantity(unit)


def _bit(i080, name):  # type: ignore[no-untyped-def]
    sub = i080.variation.get_item(name)
    return None if sub is None else sub.variation.as_uint()


@pytest.mark.parametrize("seed", range(3))
def test_cat062_fields_within_half_an_lsb(seed: int) -> None:
    tr = _tracks(np.random.default_rng(seed))
    origin = (math.radians(39.95), math.radians(32.69), 840.0)
    data, clipped = tracks_to_cat062(tr, origin, sac=25, sic=200, tod_offset_s=3_600.0)
    assert clipped == {}  # every value fits its field
    spec = gen.Cat_062_1_20
    recs = [r for db in RawDatablock.parse(Bits.from_bytes(data))
            for r in spec.cv_uap.parse(db.get_raw_records())]  # fmt: skip
    assert len(recs) == len(tr)
    lat, lon, h = enu2geodetic(tr.e_m, tr.n_m, tr.u_m, *origin)
    seen: set[int] = set()
    for i, r in enumerate(recs):
        src = r.get_item("010").variation
        assert (src.get_item("SAC").variation.as_uint(), src.get_item("SIC").variation.as_uint()) \
            == (25, 200)  # fmt: skip
        tod = (tr.t_s[i] + 3_600.0) % 86_400.0
        assert abs(_q(r.get_item("070"), unit="s") - tod) <= LSB["tod_s"] / 2 + 1e-9
        i105 = r.get_item("105")
        assert (
            abs(_q(i105, "LAT", unit="°") - math.degrees(lat[i])) <= LSB["latlon_deg"] / 2 + 1e-12
        )
        assert (
            abs(_q(i105, "LON", unit="°") - math.degrees(lon[i])) <= LSB["latlon_deg"] / 2 + 1e-12
        )
        i100, i185 = r.get_item("100"), r.get_item("185")
        assert abs(_q(i100, "X", unit="m") - tr.e_m[i]) <= LSB["xy_m"] / 2 + 1e-9
        assert abs(_q(i100, "Y", unit="m") - tr.n_m[i]) <= LSB["xy_m"] / 2 + 1e-9
        assert abs(_q(i185, "VX", unit="m/s") - tr.ve_mps[i]) <= LSB["v_mps"] / 2 + 1e-9
        assert abs(_q(i185, "VY", unit="m/s") - tr.vn_mps[i]) <= LSB["v_mps"] / 2 + 1e-9
        assert abs(_q(r.get_item("130"), unit="ft") * FT - h[i]) <= LSB["alt_m"] / 2 + 1e-9
        climb = _q(r.get_item("220"), unit="ft/min") * FT / 60.0
        assert abs(climb - tr.vu_mps[i]) <= LSB["climb_mps"] / 2 + 1e-9
        apc = r.get_item("500").variation.get_item("APC")
        assert abs(_q(apc, "X", unit="m") - math.sqrt(tr.var_e_m2[i])) <= LSB["apc_m"] / 2 + 1e-9
        assert r.get_item("040").variation.as_uint() == tr.track_id[i] % 65_536
        i080, st = r.get_item("080"), int(tr.status[i])
        assert _bit(i080, "CNF") == int(st == TrackStatus.TENTATIVE)
        assert _bit(i080, "SRC") == 2 and _bit(i080, "SIM") == 1
        assert _bit(i080, "TSE") == int(st == TrackStatus.DELETED)
        assert _bit(i080, "CST") == int(st == TrackStatus.COASTING)
        assert _bit(i080, "TSB") == int(int(tr.track_id[i]) not in seen)
        seen.add(int(tr.track_id[i]))


def test_cat062_values_beyond_their_field_are_counted_and_written_at_the_limit() -> None:
    """A coasting track's position sigma beyond the 32,767.5 m I062/500 carries, and a
    diverged track 70 km up (I062/130: +-204,800 ft), are written at the field's end and
    counted per item: never silently."""
    tr = _tracks(np.random.default_rng(7), n=20)
    var_e = tr.var_e_m2.copy()
    var_e[[3, 5]] = 40e3**2  # 40 km sigma
    u = tr.u_m.copy()
    u[8] = 70e3
    tr = dataclasses.replace(tr, var_e_m2=var_e, u_m=u)
    origin = (math.radians(39.95), math.radians(32.69), 840.0)
    data, clipped = tracks_to_cat062(tr, origin, sac=1, sic=2)
    assert clipped == {"I062/500 APC X sigma": 2, "I062/130 altitude": 1}
    recs = [r for db in RawDatablock.parse(Bits.from_bytes(data))
            for r in gen.Cat_062_1_20.cv_uap.parse(db.get_raw_records())]  # fmt: skip
    apc = recs[3].get_item("500").variation.get_item("APC")
    assert _q(apc, "X", unit="m") == (2**16 - 1) * LSB["apc_m"]
    assert _q(recs[8].get_item("130"), unit="ft") == (2**15 - 1) * 6.25
