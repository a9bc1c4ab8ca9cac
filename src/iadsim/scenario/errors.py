"""Turn pydantic validation errors into one-line ``file: field.path: message`` errors.

The path uses the user's YAML spelling (``threats[2].route[0].alt_m``): list
indices in brackets, mapping keys and fields joined by dots, discriminator tags
of tagged unions dropped. Unknown fields get a did-you-mean suggestion from the
fields the model at that place accepts.
"""

from __future__ import annotations

import difflib
import re
import reprlib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from iadsim.errors import ScenarioError, located
from iadsim.scenario.registry import registered_members


def format_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """``('threats', 2, 'route', 0, 'alt_m')`` -> ``threats[2].route[0].alt_m``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).isprintable() and len(str(part)) <= 60:
            out += ("." if out else "") + str(part)
        else:  # a user's key with a newline, a control character or of any length
            out += f"[{_short(str(part))}]"
    return out


def _unwrap(annotation: Any) -> list[Any]:
    """Candidate concrete types behind Optional/Union/Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        members = registered_members(annotation.__metadata__)  # a registry field
        return list(members) or _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in _unwrap(a)]
    return [annotation]


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[list[Any], type[BaseModel] | None]:
    """Follow ``loc`` through the model tree.

    Returns the cleaned location (union tags dropped) and the model class that
    owns the last element (for did-you-mean on unknown fields).
    """
    clean: list[Any] = []
    current: list[Any] = [model]
    owner: type[BaseModel] | None = model
    for part in loc:
        models = [t for t in current if isinstance(t, type) and issubclass(t, BaseModel)]
        if isinstance(part, str) and models:
            field_models = [m for m in models if part in m.model_fields]
            if field_models:
                owner = field_models[0]
                clean.append(part)
                info = owner.model_fields[part]
                current = list(registered_members(info.metadata)) or _unwrap(info.annotation)
                continue
            if len(models) > 1:  # a tagged-union member name: drop it
                tagged = [m for m in models if m.__name__ == part or _tag_of(m) == part]
                if tagged:
                    current = tagged
                    continue
            owner = models[0]
            clean.append(part)
            current = []
            continue
        clean.append(part)
        nxt: list[Any] = []
        for t in current:
            origin = typing.get_origin(t)
            args = typing.get_args(t)
            if origin in (list, tuple) and args:
                nxt.extend(_unwrap(args[0]))
            elif origin is dict and len(args) == 2:
                nxt.extend(_unwrap(args[1]))
        if not nxt and isinstance(part, str) and len(current) > 1:
            # discriminated union addressed by its tag, e.g. ('performance', 'full', ...)
            tagged = [m for m in current if isinstance(m, type) and _tag_of(m) == part]
            if tagged:
                clean.pop()
                nxt = tagged
        current = nxt
        owner = None
    return clean, owner


def _tag_of(model: Any) -> str | None:
    field = getattr(model, "model_fields", {}).get("kind")
    if field is None:
        return None
    args = typing.get_args(field.annotation)
    return str(args[0]) if len(args) == 1 else None


#: Bounded repr: looks at a few items per level and a few levels only, so an input
#: of any size (an expanded YAML alias bomb) is rendered in constant time.
_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxdict = _REPR.maxtuple = _REPR.maxset = 6
_REPR.maxstring = _REPR.maxother = 50
_REPR.maxlong = 40

#: pydantic's names of union members in error locations: ``literal['hold','free']``,
#: ``function-after[...]``, ``list[...]``; never user spelling, dropped from paths.
_SCHEMA_TAG = re.compile(r"^[a-z][a-z0-9-]*\[.*\]$", re.DOTALL)
_TYPE_TAGS = frozenset({"int", "float", "str", "bool", "none", "bytes", "dict", "list"})


def _short(value: Any) -> str:
    text = " ".join(_REPR.repr(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _drop_schema_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic union-member tags from an error location."""
    out = [p for p in loc if not (isinstance(p, str) and _SCHEMA_TAG.match(p))]
    # a bare type name at the end of a path is a member of a ``str | int`` union
    # (``field.str``), not a user's key
    return tuple(
        p
        for i, p in enumerate(out)
        if not (isinstance(p, str) and p in _TYPE_TAGS and i == len(out) - 1 and i > 0)
    )


def describe_error(model: type[BaseModel], err: dict[str, Any]) -> tuple[str, str]:
    """Return (field path, message) for one pydantic error dict."""
    loc = _drop_schema_tags(tuple(err.get("loc", ())))
    clean, owner = _walk(model, loc)
    path = format_path(clean)
    etype = err.get("type", "")
    if etype == "extra_forbidden":
        name = str(clean[-1]) if clean else "?"
        msg = "unknown field"
        if owner is not None:
            close = difflib.get_close_matches(name, list(owner.model_fields), n=1, cutoff=0.6)
            if close:
                msg += f"; did you mean '{close[0]}'?"
            else:
                msg += f" (allowed: {', '.join(owner.model_fields)})"
        return path, msg
    if etype == "missing":
        return path, "required field is missing"
    if etype in ("too_short", "too_long"):
        ctx = err.get("ctx", {})
        bound = ctx.get("min_length" if etype == "too_short" else "max_length")
        word = "at least" if etype == "too_short" else "at most"
        plural = "s" if bound != 1 else ""
        return path, f"must have {word} {bound} item{plural} (got {ctx.get('actual_length')})"
    msg = str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    # "Input should be greater than or equal to 0" -> "must be >= 0"
    for long, short in (
        ("Input should be greater than or equal to", "must be >="),
        ("Input should be less than or equal to", "must be <="),
        ("Input should be greater than", "must be >"),
        ("Input should be less than", "must be <"),
        ("Input should be", "must be"),
    ):
        if msg.startswith(long):
            msg = short + msg[len(long) :]
            break
    said = "(got " in msg or msg.startswith("route[")  # a validator said what it got
    if "input" in err and etype != "union_tag_invalid" and not said:
        msg += f" (got {_short(err['input'])})"
    # Validators can name a sub-field in their message: "route[1].speed_mps: ..."
    if (
        ": " in msg
        and msg.split(": ", 1)[0]
        .replace("[", "")
        .replace("]", "")
        .replace(".", "")
        .replace("_", "")
        .isalnum()
    ):
        sub, msg = msg.split(": ", 1)
        path = f"{path}.{sub}" if path and not sub.startswith("[") else f"{path}{sub}"
    return path, msg


def scenario_error(
    file: str, model: type[BaseModel], exc: ValidationError, prefix: str = ""
) -> ScenarioError:
    """One-line :class:`ScenarioError` for the first error (count of others appended)."""
    errors = exc.errors(include_url=False)
    # an unknown field first: a misspelt required field is also reported missing, and
    # the unknown one says what was meant
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    path, msg = describe_error(model, dict(errors[0]))
    if prefix:
        path = f"{prefix}.{path}" if path else prefix
    more = len(errors) - 1
    if more:
        msg += f" (and {more} more error{'s' if more > 1 else ''})"
    return ScenarioError(located(file, path, msg))
