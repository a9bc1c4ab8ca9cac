"""Interceptor catalog and engagement config models: published figures, validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from iadsim.c2 import FREE, HOLD, TIGHT, SalvoFire, ShootLookShoot
from iadsim.engagement.interceptors import pk_at
from iadsim.scenario.schema_engagement import (
    Doctrine,
    InterceptorType,
    compile_doctrine,
    compile_interceptor,
)

EXPECTED = {
    # name: (max range km, ceiling km), from the `source:` of each entry
    "s400-long-range-class": (400.0, 30.0),  # TASS/Army Recognition [claimed]
    "s400-long-range-48n6-class": (250.0, 27.0),  # People's Daily 250 km; RFE/RL 200 km
    "s400-medium-range-class": (120.0, 30.0),  # twz.com: 9M96 to 75 miles
    "s400-short-range-class": (40.0, 20.0),  # Hindu BusinessLine 40 km
    "patriot-pac2-class": (160.0, 24.0),  # tech.wp.pl: 160 km, 24 km
    "patriot-pac3-class": (70.0, 24.4),  # Taiwan MND: 70 km, 24.4 km
}


def test_catalog_entries_and_figures(catalog_raw, catalog):
    assert set(catalog_raw) == set(EXPECTED)
    for name, (r_km, h_km) in EXPECTED.items():
        raw = catalog_raw[name]
        assert len(raw["source"]) > 20 and "ASSUMPTION" in raw["pk"]["source"]
        p = catalog[name]
        assert p.max_range_m == pytest.approx(r_km * 1e3)
        assert p.max_alt_m == pytest.approx(h_km * 1e3)
        assert p.min_range_m < p.max_range_m
        # Pk assumption band of the catalog header: fighters 0.7-0.9 single shot
        assert 0.7 <= p.pk_table[0].min() and p.pk_table[0].max() <= 0.9
    assert catalog["s400-long-range-48n6-class"].max_speed_mps == 2000.0  # exxpress.at


def test_ballistic_limits_from_sources(catalog):
    """S-400 ballistic engagements to 60 km (People's Daily); PAC-3 to 40 km (tech.wp.pl)."""
    lr = catalog["s400-long-range-class"]
    ballistic = 3

    def pk(p, r_m):
        return float(pk_at(r_m / p.max_range_m, ballistic, p.pk_range_fraction, p.pk_table))

    assert pk(lr, 55e3) > 0 and pk(lr, 70e3) == 0
    pac3 = catalog["patriot-pac3-class"]
    assert pk(pac3, 39e3) > 0 and pk(pac3, 41e3) == 0


def _valid(catalog_raw) -> dict:
    return dict(catalog_raw["patriot-pac2-class"])


@pytest.mark.parametrize(
    ("change", "msg"),
    [
        ({"min_range_km": 200.0}, "min_range_km must be < max_range_km"),
        ({"max_speed_mps": -5.0}, "greater than 0"),
        ({"min_speed_mps": 5000.0}, "min_speed_mps must be <= max_speed_mps"),
        ({"min_alt_m": 30_000.0}, "min_alt_m must be < max_alt_km"),
        ({"source": ""}, "at least 3 characters"),
        ({"warhead_kg": 90}, "Extra inputs are not permitted"),
    ],
)
def test_interceptor_rejects_impossible(catalog_raw, change, msg):
    with pytest.raises(ValidationError, match=msg):
        InterceptorType.model_validate({**_valid(catalog_raw), **change})


@pytest.mark.parametrize(
    ("pk_change", "msg"),
    [
        ({"fighter": [0.8, 1.2, 0.7]}, "less than or equal to 1"),
        ({"drone": [0.8, 0.7]}, "drone: needs 3 values"),
        ({"range_fraction": [0.0, 0.5, 0.5]}, "strictly increasing"),
    ],
)
def test_pk_table_rejects_bad_values(catalog_raw, pk_change, msg):
    raw = _valid(catalog_raw)
    raw["pk"] = {**raw["pk"], **pk_change}
    with pytest.raises(ValidationError, match=msg):
        InterceptorType.model_validate(raw)


def test_source_required(catalog_raw):
    raw = _valid(catalog_raw)
    del raw["source"]
    with pytest.raises(ValidationError, match="source"):
        InterceptorType.model_validate(raw)


def test_compile_units(catalog_raw):
    p = compile_interceptor(InterceptorType.model_validate(_valid(catalog_raw)), "x")
    assert p.name == "x" and p.min_range_m == 3000.0 and p.max_alt_m == 24_000.0


def test_doctrine_compile():
    d = compile_doctrine(Doctrine.model_validate({"mode": "salvo", "salvo": 2, "weapons": "tight"}))
    assert isinstance(d.mode, SalvoFire) and d.salvo == 2 and d.authority == (TIGHT,) * 4
    assert d.reengage_delay_s == 0.0
    d = compile_doctrine(Doctrine.model_validate(
        {"weapons": {"fighter": "free", "ballistic": "tight"}, "reserve_fraction": 0.25,
         "reserve_min_range_km": 200, "reserve_min_value": 3}))  # fmt: skip
    assert d.authority == (FREE, HOLD, HOLD, TIGHT)
    assert d.reserve_min_range_m == 200e3 and d.reserve_min_value == 3.0
    assert isinstance(d.mode, ShootLookShoot) and d.reengage_delay_s == 10.0
    d = compile_doctrine(Doctrine.model_validate(
        {"mode": {"kind": "shoot-look-shoot", "kill_assessment_s": 4}}))  # fmt: skip
    assert d.reengage_delay_s == 4.0


@pytest.mark.parametrize(
    "bad",
    [
        {"mode": "spray"},
        {"salvo": 0},
        {"weapons": "fire-at-will"},
        {"weapons": {"helicopter": "free"}},
        {"reserve_fraction": 1.0},
        {"mode": {"kind": "shoot-look-shoot", "kill_assessment_s": -1}},
        {"mode": {"kind": "salvo", "kill_assessment_s": 1}},
        {"kill_assessment_s": 10},
    ],
)
def test_doctrine_rejects(bad):
    with pytest.raises(ValidationError):
        Doctrine.model_validate(bad)
