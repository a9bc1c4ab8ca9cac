"""``iadsim validate``, ``presets`` and ``catalog show`` through the CLI entry point."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from iadsim.cli import main
from iadsim.scenario.load import read_scenario_yaml

PRESET = "s400-vs-mixed-raid"


def _run(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["iadsim", *args])
    # wide terminal so rich does not wrap the lines we look at
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exc:
        main()
    cap = capsys.readouterr()
    code = exc.value.code
    return (0 if code is None else int(code)), cap.out, cap.err


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_validate_preset_ok(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    code, out, err = _run(["validate", PRESET], monkeypatch, capsys)
    assert code == 0, err
    assert f"{PRESET}.yaml: ok (1 battery, 12 threats)" in _flat(out)
    assert "error" not in err


def test_validate_warning_goes_to_stderr_with_exit_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    data, _ = read_scenario_yaml(PRESET)
    data["threats"][1]["launch_time_s"] = 5000  # after duration_s = 1800
    f = tmp_path / "late.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, err = _run(["validate", str(f)], monkeypatch, capsys)
    assert code == 0
    assert "ok (1 battery, 12 threats)" in _flat(out)
    assert "threats[1].launch_time_s: after the end of the simulation" in _flat(err)
    assert "warning" in err


def test_validate_without_argument_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    code, _, err = _run(["validate"], monkeypatch, capsys)
    assert code == 2
    assert "Missing argument" in _flat(err)


def test_presets_lists_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    code, out, _ = _run(["presets"], monkeypatch, capsys)
    assert code == 0
    assert PRESET in out
    assert "f35-class" in out


def test_catalog_show_known_and_unknown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    code, out, _ = _run(["catalog", "show", "f35-class"], monkeypatch, capsys)
    assert code == 0
    assert "max_load_factor_g: 9.0" in out and "source:" in out
    code, _, err = _run(["catalog", "show", "f35-clas"], monkeypatch, capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        "error: catalog: unknown type 'f35-clas'; did you mean 'f35-class'? (list: iadsim presets)"
    ]


def _route_file(tmp_path: Path, route: list[dict[str, float]], name: str) -> Path:
    """The preset with its F-16-class flight (threats[1]) on ``route``, no egress."""
    data, _ = read_scenario_yaml(PRESET)
    data["threats"][1]["route"] = route
    del data["threats"][1]["egress"]
    f = tmp_path / name
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return f


def _tight_turn(tmp_path: Path) -> Path:
    """22 km south, then a 110 deg turn onto a 2 km leg: the fly-by arc (1.3 km of
    lead-in at 280 m/s and 9 g) does not fit half the 2 km leg, so it shrinks."""
    return _route_file(tmp_path, [
        {"lat_deg": 41.5, "lon_deg": 32.7, "alt_m": 9000},
        {"lat_deg": 41.3, "lon_deg": 32.7, "alt_m": 9000, "speed_mps": 280},
        {"lat_deg": 41.30615, "lon_deg": 32.6775, "alt_m": 9000, "speed_mps": 280},
        {"lat_deg": 41.5, "lon_deg": 31.9, "alt_m": 9000, "speed_mps": 280},
    ], "tight.yaml")  # fmt: skip


def _u_turn(tmp_path: Path) -> Path:
    """22 km south, then back north (a 180 deg turn at route[1]: flown fly-over)."""
    return _route_file(tmp_path, [
        {"lat_deg": 41.5, "lon_deg": 32.7, "alt_m": 9000},
        {"lat_deg": 41.3, "lon_deg": 32.7, "alt_m": 9000, "speed_mps": 280},
        {"lat_deg": 41.8, "lon_deg": 32.7, "alt_m": 9000, "speed_mps": 280},
    ], "u-turn.yaml")  # fmt: skip


def test_validate_shows_the_route_warnings_a_run_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The tight-turn warning came only from ``iadsim run``: ``validate`` said ok."""
    code, out, err = _run(["validate", str(_tight_turn(tmp_path))], monkeypatch, capsys)
    assert code == 0
    assert "ok (1 battery, 12 threats)" in _flat(out)
    assert "tight.yaml: threats[1].route: 1 turn(s) too tight" in _flat(err), err


def test_tight_turn_warning_says_how_far_the_path_passes_from_the_waypoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The warning only said 'flown on a smaller radius'; now it says how far from
    which waypoint: a 1 km lead-in (half the 2 km leg) on a 110 deg turn passes
    1 km x tan(27.5 deg) = 0.5 km from route[1]."""
    _, _, err = _run(["validate", str(_tight_turn(tmp_path))], monkeypatch, capsys)
    assert re.search(r"the path passes 0\.5 km from route\[1\]", _flat(err)), err


def test_a_turn_back_is_flown_fly_over_without_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """A turn back used to be a 'tight' fly-by that cut the whole 22 km leg; flown
    fly-over it is an ordinary turn at the platform's radius: no warning."""
    code, out, err = _run(["validate", str(_u_turn(tmp_path))], monkeypatch, capsys)
    assert code == 0 and "ok (1 battery, 12 threats)" in _flat(out)
    assert "too tight" not in _flat(err), err
