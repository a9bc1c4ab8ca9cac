"""CAT048 monoradar target reports <-> plot arrays.

Edition: EUROCONTROL-SPEC-0149-4, *ASTERIX Part 4: Category 048 Monoradar Target
Reports*, edition 1.32 (libasterix ``Cat_048_1_32``). Items written and read
(every LSB from the specification):

============  ==============================  =====================================
item          content                         encoding
============  ==============================  =====================================
I048/010      SAC, SIC                        8 + 8 bits
I048/140      time of day                     24 bits unsigned, LSB 1/128 s
I048/020      target report descriptor        TYP = 1 (single PSR), SIM = 1 on export
I048/040      measured polar position         RHO 16 bits, LSB 1/256 NM (max 256 NM);
                                              THETA 16 bits, LSB 360/2^16 deg
I048/110      height measured by a 3D radar   14 bits two's complement, LSB 25 ft
I048/090      flight level (read only)        14 bits two's complement, LSB 1/4 FL
============  ==============================  =====================================

No track number (I048/161) is written: the reports are plots, not tracks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.analysis.asterix.codec import (
    FT_M,
    NM_M,
    Block,
    iter_blocks,
    libasterix,
    quantize,
    write_blocks,
)
from iadsim.errors import InputDataError

__all__ = ["EDITION", "LSB", "Cat048Plots", "decode_cat048", "encode_cat048"]

EDITION = (1, 32)
F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: LSB of each field in SI units (s, m, rad, m).
LSB = {
    "tod_s": 1.0 / 128.0,
    "rho_m": NM_M / 256.0,
    "theta_rad": 2.0 * np.pi / 2**16,
    "height_m": 25.0 * FT_M,
    "fl_height_m": 25.0 * FT_M,  # 1/4 FL = 25 ft
}
#: Largest slant range I048/040 can carry (16 bits of 1/256 NM), m.
MAX_RHO_M = (2**16 - 1) * LSB["rho_m"]
#: I048/110 range: 14-bit two's complement of 25 ft, m.
MAX_ABS_HEIGHT_M = (2**13 - 1) * LSB["height_m"]


def _spec() -> Any:
    return libasterix()[1].Cat_048_1_32


def encode_cat048(
    sac: int, sic: I64, tod_s: F64, rho_m: F64, theta_rad: F64, height_m: F64
) -> bytes:
    """Plots as CAT048 data blocks (one record per plot, in the order given).

    Parameters
    ----------
    sac : int
        System area code of every radar (0-255).
    sic, tod_s, rho_m, theta_rad, height_m : (n,) arrays
        System identification code per plot (0-255), time of day (s, [0, 86400)),
        slant range (m, [0, :data:`MAX_RHO_M`]), azimuth clockwise from north (rad)
        and height above mean sea level (m; NaN: no I048/110 item).
    """
    spec = _spec()
    t_raw = quantize(tod_s, LSB["tod_s"])
    r_raw = quantize(rho_m, LSB["rho_m"])
    th_raw = quantize(np.mod(theta_rad, 2 * np.pi), LSB["theta_rad"]) % 2**16
    has_h = np.isfinite(height_m)
    h_raw = quantize(np.where(has_h, height_m, 0.0), LSB["height_m"]) % 2**14
    rec = spec.cv_record
    # libasterix items are immutable: the constant ones are built once
    sources = {int(s): rec.spec("010").create((("SAC", sac), ("SIC", int(s)))) for s in set(sic)}
    descriptor = rec.spec("020").create(((("TYP", 1), ("SIM", 1), 0, 0, 0, None),))
    records = []
    for i in range(sic.shape[0]):
        items: dict[str, Any] = {
            "010": sources[int(sic[i])],
            "140": int(t_raw[i]),
            "020": descriptor,  # TYP = single PSR detection, SIM = simulated
            "040": (("RHO", int(r_raw[i])), ("THETA", int(th_raw[i]))),
        }
        if has_h[i]:
            items["110"] = (0, ("3DH", int(h_raw[i])))
        records.append(rec.create(items))
    return write_blocks(spec, records)


@dataclass(frozen=True)
class Cat048Plots:
    """Decoded CAT048 plots, one row per record, in file order.

    ``height_m`` is NaN where a record has neither I048/110 nor I048/090;
    ``offset`` is each record's byte offset in the file.
    """

    offset: I64
    sac: I64
    sic: I64
    tod_s: F64
    rho_m: F64
    theta_rad: F64
    height_m: F64
    skipped_blocks: dict[int, int]
    n_bad: int = 0
    first_bad: str = ""

    @property
    def size(self) -> int:
        """Number of plots."""
        return int(self.sac.shape[0])


def _quantity(item: Any, *path: str, unit: str) -> float:
    v = item.variation
    for name in path:
        v = v.get_item(name).variation
    return float(v.content.as_quantity(unit))


def _record_values(rec: Any) -> tuple[list[float], str | None]:
    """(sac, sic, tod, rho, theta, height) of one record, or the missing item's name."""
    got = {k: rec.get_item(k) for k in ("010", "140", "040", "110", "090")}
    for k in ("010", "140", "040"):
        if got[k] is None:
            return [], f"I048/{k}"
    i010 = got["010"].variation
    height = np.nan
    if got["110"] is not None:
        height = _quantity(got["110"], "3DH", unit="ft") * FT_M
    elif got["090"] is not None:
        height = _quantity(got["090"], "FL", unit="FL") * 100.0 * FT_M
    return [
        float(i010.get_item("SAC").variation.as_uint()),
        float(i010.get_item("SIC").variation.as_uint()),
        _quantity(got["140"], unit="s"),
        _quantity(got["040"], "RHO", unit="NM") * NM_M,
        np.radians(_quantity(got["040"], "THETA", unit="°")),
        height,
    ], None


_PARSE_ERRORS = (ValueError, AssertionError, IndexError, KeyError, TypeError, OverflowError)


class _Decoder:
    """Records of CAT048 blocks into rows; bad ones raise, or are counted (``skip_bad``)."""

    def __init__(self, file: str, skip_bad: bool) -> None:
        self.base, _ = libasterix()
        self.spec = _spec()
        self.file, self.skip_bad = file, skip_bad
        self.rows: list[list[float]] = []
        self.offsets: list[int] = []
        self.n_records = 0
        self.n_bad = 0
        self.first_bad = ""

    def bad(self, message: str) -> None:
        """Raise ``message``, or count it (the first one is kept)."""
        if not self.skip_bad:
            raise InputDataError(message)
        self.n_bad += 1
        self.first_bad = self.first_bad or message

    def block(self, block: Block) -> None:
        """Decode one CAT048 data block (a record that does not parse ends the block:
        records carry no length, so the next one cannot be found)."""
        bits = self.base.Bits.from_bytes(block.payload)
        while len(bits):
            at = block.offset + 3 + len(block.payload) - len(bits) // 8
            where = f"{self.file}: byte {at} (record {self.n_records})"
            self.n_records += 1
            try:  # libasterix returns ValueError; hostile bytes must not raise past here
                res = self.spec.cv_record.parse(self.base.ParsingMode.StrictParsing, bits)
                if isinstance(res, ValueError):
                    raise res
                rec, bits = res
                values, missing = _record_values(rec)
            except _PARSE_ERRORS as err:
                msg = " ".join(str(err).split())[:120]
                self.bad(f"{where}: CAT048 record does not parse ({msg})")
                return
            if missing is not None:
                self.bad(f"{where}: {missing}: required item is missing")
                continue
            self.rows.append(values)
            self.offsets.append(at)


def decode_cat048(data: bytes, file: str, *, skip_bad: bool = False) -> Cat048Plots:
    """Every CAT048 record of ``data`` (raw ASTERIX data blocks, no recording headers).

    Data blocks of other categories (e.g. CAT034 service messages) are skipped and
    counted in ``skipped_blocks``. A truncated block, a record that does not parse,
    or one without I048/010, I048/140 or I048/040 is a one-line
    :class:`InputDataError` naming the file, the byte offset, the record index and
    the item; with ``skip_bad`` it is skipped instead (the rest of its block, or of
    the file for a broken block header) and counted in ``n_bad``, the first one's
    message kept in ``first_bad``.
    """
    dec = _Decoder(file, skip_bad)
    skipped: dict[int, int] = {}
    try:
        for block in iter_blocks(data, file):
            if block.category == 48:
                dec.block(block)
            else:
                skipped[block.category] = skipped.get(block.category, 0) + 1
    except InputDataError as err:  # framing: nothing after it can be found
        dec.bad(str(err) + " (rest of the file skipped)")
    if not dec.rows:
        why = f"; first bad: {dec.first_bad}" if dec.first_bad else ""
        raise InputDataError(
            f"{file}: no CAT048 records (other categories: {skipped or 'none'}){why}"
        )
    a = np.asarray(dec.rows, dtype=float)
    return Cat048Plots(
        offset=np.asarray(dec.offsets, dtype=np.int64), sac=a[:, 0].astype(np.int64),
        sic=a[:, 1].astype(np.int64), tod_s=a[:, 2], rho_m=a[:, 3], theta_rad=a[:, 4],
        height_m=a[:, 5], skipped_blocks=skipped, n_bad=dec.n_bad, first_bad=dec.first_bad,
    )  # fmt: skip
