"""The ASTERIX field mapping as documentation rows (``docs/files.md``, section ASTERIX),
built from the LSB constants the encoders use, so the page cannot drift from the code."""

from __future__ import annotations

import math

from iadsim.analysis.asterix import cat048, cat062

__all__ = ["doc_lines"]


def _g(x: float) -> str:
    return f"{x:.6g}"


def _rows048() -> list[tuple[str, str, str]]:
    L = cat048.LSB
    return [
        ("I048/010 SAC, SIC", "`--sac`; SIC = `radar_id` (0-255)", "8 + 8 bits"),
        ("I048/140 time of day", "`t_s` + `--tod-offset-s`, modulo 24 h",
         f"24 bits, LSB 1/128 s = {_g(L['tod_s'])} s"),
        ("I048/020 report descriptor", "TYP = 1 (single PSR detection), SIM = 1 (simulated)", ""),
        ("I048/040 RHO", "slant range from the radar",
         f"16 bits, LSB 1/256 NM = {_g(L['rho_m'])} m, below 256 NM = "
         f"{_g(cat048.MAX_RHO_M / 1000)} km"),
        ("I048/040 THETA", "azimuth in the radar's local frame, clockwise from north",
         f"16 bits, LSB 360/2^16 deg = {_g(math.degrees(L['theta_rad']))} deg"),
        ("I048/110 3D height", "height of the plot above the ellipsoid (carries elevation)",
         f"14 bits signed, LSB 25 ft = {_g(L['height_m'])} m, at most "
         f"{_g(cat048.MAX_ABS_HEIGHT_M / 1000)} km"),
        ("I048/090 flight level", "read only: height when I048/110 is absent",
         "14 bits signed, LSB 1/4 FL (25 ft)"),
    ]  # fmt: skip


def _rows062() -> list[tuple[str, str, str]]:
    L = cat062.LSB
    return [
        ("I062/010 SAC, SIC", "`--sac`, `--sic` (the tracker)", "8 + 8 bits"),
        ("I062/070 time of track information", "`t_s` + `--tod-offset-s`",
         f"24 bits, LSB 1/128 s = {_g(L['tod_s'])} s"),
        ("I062/105 WGS-84 position", "latitude, longitude of `e_m, n_m, u_m`",
         f"32 bits each, LSB 180/2^25 deg = {_g(L['latlon_deg'])} deg"),
        ("I062/100 Cartesian X, Y", "`e_m`, `n_m` (the scenario's ENU plane)",
         f"24 bits signed, LSB {_g(L['xy_m'])} m"),
        ("I062/185 Cartesian VX, VY", "`ve_mps`, `vn_mps`",
         f"16 bits signed, LSB {_g(L['v_mps'])} m/s"),
        ("I062/040 track number", "`track_id` modulo 65,536", "16 bits"),
        ("I062/080 track status", "CNF = tentative, CST = coasting, TSE = deleted, TSB = first "
         "message, SIM = 1, SRC = 2 (3D radar)", "extended, 4 octets"),
        ("I062/130 geometric altitude", "WGS-84 height of the track",
         f"16 bits signed, LSB 6.25 ft = {_g(L['alt_m'])} m"),
        ("I062/220 rate of climb/descent", "`vu_mps`",
         f"16 bits signed, LSB 6.25 ft/min = {_g(L['climb_mps'])} m/s"),
        ("I062/500 APC", "sqrt(`var_e_m2`), sqrt(`var_n_m2`)",
         f"16 bits each, LSB {_g(L['apc_m'])} m, capped at 32.8 km"),
    ]  # fmt: skip


def doc_lines() -> list[str]:
    """The ASTERIX section of the files reference (Markdown lines)."""

    def table(rows: list[tuple[str, str, str]]) -> list[str]:
        out = ["| item | iadsim value | encoding |", "|---|---|---|"]
        return [*out, *(f"| {a} | {b} | {c} |" for a, b, c in rows), ""]

    major, minor = cat048.EDITION
    m62, n62 = cat062.EDITION
    return [
        "## ASTERIX (`iadsim export asterix`, `iadsim track --radar-sites`)",
        "",
        "`iadsim export asterix RUN_DIR` writes `cat048.ast` (one CAT048 record per",
        "detection), `cat062.ast` (one CAT062 record per `tracks.parquet` row) and",
        "`radar-sites.yaml`; the files are raw ASTERIX data blocks (no recording headers).",
        f"Editions: EUROCONTROL ASTERIX Part 4, Category 048, edition {major}.{minor}; Part 9,",
        f"Category 062, edition {m62}.{n62} (encoded and decoded with libasterix). Values are",
        "rounded to the nearest LSB, so a round trip is exact to half an LSB. Times of day",
        "are the run time plus `--tod-offset-s`, by default the time of day (UTC) of the",
        "scenario's `simulation.epoch_utc`, or 0 if it has none.",
        "",
        "CAT048 monoradar target reports (plots):",
        "",
        *table(_rows048()),
        "CAT062 system tracks:",
        "",
        *table(_rows062()),
        "What does not fit: CAT048 has no field for the elevation angle (it travels as the",
        "3D height, so its resolution is 7.6 m / range), the SNR, the radial velocity, the",
        "measurement sigmas (they go to `radar-sites.yaml`, one median per radar) or the",
        "truth id; plots beyond 256 NM or +-62 km height (false alarms, mostly) are left",
        "out and counted. CAT062 carries no vertical or velocity accuracy and no",
        "`quality`; track numbers wrap at 65,536 and times of day at 24 h. A CAT062 value",
        "beyond its field (an APC sigma above 32.8 km, an altitude beyond +-62.4 km) is",
        "written at the field's limit, and the export says how many messages of which item.",
        "",
        "`radar-sites.yaml` (what `iadsim track FILE.ast --radar-sites SITES.yaml` needs:",
        "CAT048 does not say where a radar stands or how noisy it is):",
        "",
        "```yaml",
        "origin: {lat_deg: 39.95, lon_deg: 32.69, alt_m: 840}  # output ENU frame"
        " (default: first radar)",
        "radars:",
        "  - {name: surv, sac: 0, sic: 0, lat_deg: 39.97, lon_deg: 32.72, alt_m: 850,",
        "     sigma_range_m: 30, sigma_az_deg: 0.09, sigma_el_deg: 0.18}",
        "```",
        "",
        "Every radar must give its sigmas (1-sigma noise; no default) and its antenna",
        "height above the ellipsoid. Plots are placed through their geodetic position",
        "(the height's Earth curvature included) into the `origin`'s ENU frame and",
        "sorted by time; a midnight rollover of the time of day is followed. Data",
        "blocks of other categories (CAT034 sector messages) are skipped and counted;",
        "a truncated block or a record that does not parse is one line naming the",
        "file, the byte offset, the record and the item; `--skip-bad-records` skips them",
        "instead (the rest of the block, records carrying no length), counts them and",
        "shows the first. ASTERIX has no checksum: a corrupted record may still decode.",
        "",
    ]
