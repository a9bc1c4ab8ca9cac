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


def _u_turn(tmp_path: Path) -> Path:
    """An F-16-class flight that flies 22 km south, then turns back north (a 180 deg
    turn at route[1]: no fly-by fillet fits, the path is cut short of the waypoint)."""
    data, _ = read_scenario_yaml(PRESET)
    data["threats"][1]["route"] = [
        {"lat_deg": 41.5, "lon_deg": 32.7, "alt_m": 9000},
        {"lat_deg": 41.3, "lon_deg": 32.7, "alt_m": 9000, "speed_mps": 280},
        {"lat_deg": 41.8, "lon_deg": 32.7, "alt_m": 9000, "speed_mps": 280},
    ]
    del data["threats"][1]["egress"]
    f = tmp_path / "u-turn.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return f


def test_validate_shows_the_route_warnings_a_run_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The tight-turn warning came only from ``iadsim run``: ``validate`` said ok."""
    code, out, err = _run(["validate", str(_u_turn(tmp_path))], monkeypatch, capsys)
    assert code == 0
    assert "ok (1 battery, 12 threats)" in _flat(out)
    assert "u-turn.yaml: threats[1].route: 1 turn(s) too tight" in _flat(err), err


def test_tight_turn_warning_says_how_far_the_path_passes_from_the_waypoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """A turn back swallowed the whole 22 km leg before it (the fillet's tangent took
    the leg) and the warning only said 'flown on a smaller radius'."""
    _, _, err = _run(["validate", str(_u_turn(tmp_path))], monkeypatch, capsys)
    # the whole first leg (22.2 km on the ellipsoid, 22.3 in the route plane) is cut
    assert re.search(r"the path passes 22\.[23] km from route\[1\]", _flat(err)), err
