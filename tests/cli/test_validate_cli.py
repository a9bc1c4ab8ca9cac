"""``iadsim validate``, ``presets`` and ``catalog show`` through the CLI entry point."""

from __future__ import annotations

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
