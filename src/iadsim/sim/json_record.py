"""Frozen dataclass records that convert to and from JSON objects, checked field by field.

A :class:`JsonRecord` subclass declares its fields with :func:`doc_field` (the text
goes to the generated file reference, ``docs/files.md``). ``to_json_dict`` gives
the fields in declaration order (tuples as lists, nested records as dicts, NaN kept:
the writer turns it into ``null``); ``from_json_dict`` checks every value against
the field's annotation and raises one :class:`~iadsim.errors.InputDataError` line
naming the file and the field path (``summary.json: threats[3].outcome: ...``).

Annotations understood: ``int``, ``float`` (an int in the file is kept as it is,
so a file reads back to the same JSON), ``str``, ``bool``, :data:`MaybeFloat`
(``null`` in the file is NaN), ``Literal[...]`` of strings, ``tuple[X, ...]``,
``Mapping[str, X]``, ``X | None`` and nested :class:`JsonRecord` types.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from iadsim.errors import InputDataError, located

#: Marker of a float that is NaN when undefined (never, none): ``null`` in JSON files.
NAN_IF_NULL = "NaN if undefined (null in the file)"
#: A float that may be NaN (``null`` in a JSON file).
MaybeFloat = Annotated[float, NAN_IF_NULL]


def doc_field(doc: str, *, omit_if_none: bool = False, default: Any = dataclasses.MISSING) -> Any:
    """A dataclass field documented with ``doc`` (units included); ``omit_if_none``: a
    ``None`` value is left out of the JSON object (an optional section)."""
    meta = {"doc": doc, "omit_if_none": omit_if_none}
    return dataclasses.field(default=default, metadata=meta)


class _BadValue(Exception):
    """A value that does not fit its field: ``where`` is the field path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def _to_json(value: Any) -> Any:
    if isinstance(value, JsonRecord):
        return value.to_json_dict()
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _to_json(v) for k, v in value.items()}
    return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _scalar(tp: Any, value: Any, where: str) -> Any:
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        what = "a number"
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        what = "an integer"
    elif tp in (str, bool):
        ok, what = isinstance(value, tp), "a string" if tp is str else "true or false"
    else:  # pragma: no cover - a field annotation this reader does not know
        raise TypeError(f"{where}: unsupported field type {tp!r}")
    if not ok:
        raise _BadValue(where, f"expected {what}, got {_type_name(value)} {value!r:.40}")
    return value


def _decode(tp: Any, value: Any, where: str) -> Any:  # noqa: C901 - one branch per kind
    """``value`` read from JSON, checked against the annotation ``tp``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Annotated:
        if value is None and NAN_IF_NULL in args[1:]:
            return math.nan
        return _decode(args[0], value, where)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        (inner,) = (a for a in args if a is not type(None))
        return _decode(inner, value, where)
    if origin is Literal:
        if value not in args or not isinstance(value, str):
            raise _BadValue(where, f"expected one of {list(args)}, got {value!r:.40}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise _BadValue(where, f"expected a list, got {_type_name(value)}")
        return tuple(_decode(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (dict, Mapping):
        if not isinstance(value, dict):
            raise _BadValue(where, f"expected an object, got {_type_name(value)}")
        return {str(k): _decode(args[1], v, _join(where, str(k))) for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, JsonRecord):
        return tp._decode_record(value, where)
    return _scalar(tp, value, where)


class JsonRecord:
    """Base of frozen dataclass records with a checked JSON form (module doc)."""

    def to_json_dict(self) -> dict[str, Any]:
        """The record as a JSON-able dict: fields in declaration order, tuples as
        lists, nested records as dicts; NaN stays NaN (written as ``null``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None and f.metadata.get("omit_if_none"):
                continue
            out[f.name] = _to_json(value)
        return out

    @classmethod
    def from_json_dict(cls, data: Any, *, file: str | None = None) -> Self:
        """The record from a JSON object, every field checked against its annotation.

        Raises
        ------
        InputDataError
            One line naming ``file`` and the field path: a missing or unknown field,
            a value of the wrong type, or a record whose figures disagree.
        """
        try:
            return cls._decode_record(data, "")
        except _BadValue as err:
            raise InputDataError(located(file, err.where, err.message)) from None

    @classmethod
    def _decode_record(cls, data: Any, where: str) -> Self:
        if not isinstance(data, dict):
            raise _BadValue(where, f"expected an object, got {_type_name(data)}")
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        unknown = [k for k in data if k not in {f.name for f in fields}]
        if unknown:
            raise _BadValue(_join(where, str(unknown[0])), "unknown field")
        kwargs = {}
        for f in fields:
            if f.name in data:
                kwargs[f.name] = _decode(hints[f.name], data[f.name], _join(where, f.name))
            elif f.default is dataclasses.MISSING:
                raise _BadValue(_join(where, f.name), "missing")
        try:
            return cls(**kwargs)
        except ValueError as err:
            raise _BadValue(where, str(err)) from err


def field_docs(cls: type) -> list[tuple[str, str]]:
    """(field name, documentation) of a record type, in declaration order."""
    return [(f.name, str(f.metadata.get("doc", ""))) for f in dataclasses.fields(cls)]
