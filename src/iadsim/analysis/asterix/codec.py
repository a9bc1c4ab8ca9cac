"""libasterix access, data-block framing and quantisation shared by CAT048 and CAT062.

References
----------
EUROCONTROL, *ASTERIX Part 1: Data Structure* (data block = CAT (1 octet), LEN
(2 octets, the whole block including these 3), records; each record an FSPEC
followed by the items it flags).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.errors import InputDataError

__all__ = [
    "FT_M",
    "NM_M",
    "Block",
    "iter_blocks",
    "libasterix",
    "quantize",
    "write_blocks",
]

#: International nautical mile and foot, m (exact by definition).
NM_M = 1852.0
FT_M = 0.3048
#: Records per data block on export (a block holds at most 65,535 octets).
RECORDS_PER_BLOCK = 500


def libasterix() -> tuple[ModuleType, ModuleType]:
    """``(asterix.base, asterix.generated)``; a one-line error naming the extra when missing.

    The GPL ``asterix-decoder`` package installs under the same import name: it is
    told apart by the absence of ``asterix.generated``.
    """
    try:
        import asterix.base as base
        import asterix.generated as gen
    except ImportError as err:
        raise InputDataError("ASTERIX needs libasterix: pip install 'iadsim[asterix]'") from err
    return base, gen


def quantize(value: NDArray[np.float64], lsb: float) -> NDArray[np.int64]:
    """Nearest raw integer of ``value / lsb`` (so the error is at most lsb / 2)."""
    return np.rint(np.asarray(value, dtype=float) / lsb).astype(np.int64)


@dataclass(frozen=True)
class Block:
    """One ASTERIX data block: its byte offset in the file, category and record octets."""

    offset: int
    index: int
    category: int
    payload: bytes


def iter_blocks(data: bytes, file: str) -> Iterator[Block]:
    """Split ``data`` into data blocks; a truncated or inconsistent block is a one-line
    :class:`InputDataError` naming the file, the byte offset and the block index."""
    pos, k, n = 0, 0, len(data)
    while pos < n:
        if n - pos < 3:
            raise InputDataError(
                f"{file}: byte {pos} (data block {k}): truncated block header "
                f"({n - pos} of 3 octets)"
            )
        length = int.from_bytes(data[pos + 1 : pos + 3], "big")
        if length < 3 or pos + length > n:
            raise InputDataError(
                f"{file}: byte {pos} (data block {k}): LEN {length} "
                + ("is below 3" if length < 3 else f"runs past the end of the file ({n} bytes)")
            )
        yield Block(pos, k, data[pos], data[pos + 3 : pos + length])
        pos += length
        k += 1


def write_blocks(spec: Any, records: list[Any]) -> bytes:
    """Records of one category as data blocks of at most :data:`RECORDS_PER_BLOCK`."""
    out = bytearray()
    for a in range(0, len(records), RECORDS_PER_BLOCK):
        out += spec.create(records[a : a + RECORDS_PER_BLOCK]).unparse().to_bytes()
    return bytes(out)
