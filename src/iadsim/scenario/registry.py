"""Registries of parts keyed by ``kind``: one definition per component.

A *kind* is what a YAML block names (``filter: {kind: ukf, alpha: 0.5}``). Each
kind is defined once, in one place, by

- its **config model** (a pydantic model with ``kind: Literal["<kind>"]``, units in
  the field names; its docstring is the kind's documentation),
- its **compile step**, a function from a validated config (plus the context the
  role needs, e.g. the number of spatial axes) to a plain stage object,
- a **documented example** (the YAML block as a dict), which a test builds.

A :class:`Registry` holds the kinds of one role. A schema field that accepts any
kind of the role is annotated ``Annotated[KindModel, REGISTRY.union]``; its
discriminated union is built from the registry when pydantic builds the model, so
adding a kind never edits a union by hand. Registering a kind after the schema was
built (a plug-in module, a test) re-builds the scenario models
(:func:`rebuild_models`), so the new kind is accepted everywhere at once.

Example (see ``docs/dev/notes.md`` for the full recipe)::

    from iadsim.scenario.schema_tracking import FILTERS

    @FILTERS.register(example={"kind": "alpha_beta", "alpha": 0.5})
    class AlphaBetaConfig(KindModel):
        '''Fixed-gain alpha-beta filter (Kalata 1984).'''
        kind: Literal["alpha_beta"] = "alpha_beta"
        alpha: float = 0.5

    @FILTERS.compiler("alpha_beta")
    def _(cfg: AlphaBetaConfig, motion: MotionModel, dims: int) -> Filter:
        return AlphaBetaFilter(model=motion, alpha=cfg.alpha)
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args

from pydantic import BaseModel, Discriminator, Field, GetCoreSchemaHandler, Tag
from pydantic_core import CoreSchema, core_schema

from iadsim.scenario.base import Model

__all__ = ["REGISTRIES", "Kind", "KindModel", "Registry", "rebuild_models"]

T = TypeVar("T")
C = TypeVar("C", bound="KindModel")


class KindModel(Model):
    """Base of every registered config model: a ``kind`` tag plus its own fields
    (the rules of :class:`iadsim.scenario.base.Model`)."""

    kind: str


@dataclasses.dataclass(frozen=True)
class Kind(Generic[T]):
    """One registered kind: config model, compile step, documented example."""

    kind: str
    config: type[KindModel]
    compile: Callable[..., T] | None
    example: Mapping[str, Any]

    @property
    def doc(self) -> str:
        """The config model's docstring (the kind's documentation)."""
        return (self.config.__doc__ or "").strip()

    def build(self, *context: Any) -> T:
        """Validate the documented example and compile it with ``context``."""
        cfg = self.config.model_validate(dict(self.example))
        if self.compile is None:
            raise LookupError(f"kind {self.kind!r} has no compile step")
        return self.compile(cfg, *context)


@dataclasses.dataclass(eq=False)
class _UnionOf:
    """Annotation marker: pydantic builds the registry's current discriminated union."""

    registry: Registry[Any]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        self.registry._used = True
        configs: tuple[Any, ...] = tuple(k.config for k in self.registry)
        if not configs:
            raise TypeError(f"registry {self.registry.role!r} has no kinds")
        if len(configs) == 1:
            inner = handler.generate_schema(configs[0])
        elif (default := self.registry.default) is None:
            union: Any = Annotated[Union[configs], Field(discriminator="kind")]  # noqa: UP007
            inner = handler.generate_schema(union)
        else:

            def kind(v: Any) -> Any:  # a missing kind means the role's default kind
                return (
                    v.get("kind", default) if isinstance(v, dict) else getattr(v, "kind", default)
                )

            tagged: tuple[Any, ...] = tuple(Annotated[k.config, Tag(k.kind)] for k in self.registry)
            inner = handler.generate_schema(Annotated[Union[tagged], Discriminator(kind)])  # noqa: UP007
        # a bare kind name is the kind with its defaults (``solver: greedy``)
        return core_schema.no_info_before_validator_function(self._known_kind, inner)

    def _known_kind(self, value: Any) -> Any:
        """``"<kind>"`` -> ``{"kind": "<kind>"}``; an unknown kind is a short error
        naming the known ones (the input is quoted, shortened, by the error report)."""
        if isinstance(value, str):
            value = {"kind": value}
        kind = value.get("kind") if isinstance(value, dict) else None
        if isinstance(kind, str) and kind not in self.registry:
            known = ", ".join(self.registry.kinds)
            raise ValueError(f"unknown kind; {self.registry.role} kinds: {known}")
        return value


class Registry(Generic[T]):
    """The kinds of one role (motion models, filters, detection models, ...).

    Parameters
    ----------
    role : str
        Human name of the role, used in messages and docs (``"tracker filter"``).
    context : str
        What :meth:`compile` takes after the config, for the docs
        (``"dims: int"``); empty when the config alone suffices.
    default : str or None
        Kind assumed when a YAML block gives no ``kind`` (None: ``kind`` required).
    """

    def __init__(self, role: str, *, context: str = "", default: str | None = None) -> None:
        self.role = role
        self.context = context
        self.default = default
        self._kinds: dict[str, Kind[T]] = {}
        #: Annotation metadata of a schema field that takes any kind of this role:
        #: ``motion: Annotated[KindModel, MOTIONS.union]``.
        self.union = _UnionOf(self)
        self._used = False
        REGISTRIES.append(self)

    # -- definition ---------------------------------------------------------
    def register(
        self,
        *,
        example: Mapping[str, Any] | None = None,
        compile: Callable[..., T] | None = None,
    ) -> Callable[[type[C]], type[C]]:
        """Class decorator: register a config model under the kind its ``kind`` field names.

        ``example`` is the documented YAML block (default ``{"kind": <kind>}``);
        ``compile`` the compile step (or give it later with :meth:`compiler`).
        """

        def deco(config: type[C]) -> type[C]:
            kind = _kind_of(config)
            if kind in self._kinds:
                raise ValueError(f"{self.role}: kind {kind!r} is already registered")
            ex = dict(example) if example is not None else {"kind": kind}
            self._kinds[kind] = Kind(kind=kind, config=config, compile=compile, example=ex)
            if self._used:
                rebuild_models()
            return config

        return deco

    def compiler(self, kind: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator: set the compile step of an already registered ``kind``."""

        def deco(fn: Callable[..., T]) -> Callable[..., T]:
            self._kinds[kind] = dataclasses.replace(self._kinds[kind], compile=fn)
            return fn

        return deco

    def unregister(self, kind: str) -> None:
        """Remove ``kind`` (tests that register a toy kind clean up with this)."""
        del self._kinds[kind]
        if self._used:
            rebuild_models()

    # -- use ------------------------------------------------------------------
    def compile(self, cfg: KindModel, *context: Any) -> T:
        """Compile a validated config (of any registered kind) to its stage object."""
        k = self[cfg.kind]
        if k.compile is None:
            raise LookupError(f"{self.role}: kind {cfg.kind!r} has no compile step")
        return k.compile(cfg, *context)

    def __getitem__(self, kind: str) -> Kind[T]:
        try:
            return self._kinds[kind]
        except KeyError:
            known = ", ".join(sorted(self._kinds))
            raise LookupError(f"{self.role}: unknown kind {kind!r} (known: {known})") from None

    def __iter__(self) -> Iterator[Kind[T]]:
        return iter(tuple(self._kinds.values()))

    def __len__(self) -> int:
        return len(self._kinds)

    def __contains__(self, kind: object) -> bool:
        return kind in self._kinds

    @property
    def kinds(self) -> tuple[str, ...]:
        """Registered kind names, in registration order."""
        return tuple(self._kinds)

    def docs(self) -> str:
        """Markdown list of the kinds: name, first docstring line, example."""
        lines = [f"{self.role} (`kind`):"]
        for k in self:
            first = k.doc.splitlines()[0] if k.doc else ""
            lines.append(f"- `{k.kind}`: {first} Example: `{dict(k.example)}`")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Registry({self.role!r}, kinds={list(self._kinds)})"


#: Every registry created so far (the registry test walks them all).
REGISTRIES: list[Registry[Any]] = []


def _kind_of(config: type[KindModel]) -> str:
    ann = config.model_fields["kind"].annotation
    args = get_args(ann) if typing.get_origin(ann) is Literal else ()
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError(f"{config.__name__}.kind must be annotated Literal['<kind>']")
    return args[0]


def _models() -> list[type[BaseModel]]:
    """Every pydantic model class defined so far (subclasses of BaseModel)."""
    out: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [BaseModel]
    seen: set[type[BaseModel]] = set()
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen and not sub.__module__.startswith("pydantic"):
                seen.add(sub)
                out.append(sub)
                todo.append(sub)
    return out


def _refs(tp: Any, models: set[type[BaseModel]], into: set[type[BaseModel]]) -> None:
    """Models mentioned in an annotation, including the current kinds of registry unions."""
    if isinstance(tp, type) and tp in models:
        into.add(tp)
    if isinstance(tp, _UnionOf):
        into.update(k.config for k in tp.registry)
    for arg in get_args(tp):
        _refs(arg, models, into)
    for meta in getattr(tp, "__metadata__", ()):
        _refs(meta, models, into)


def rebuild_models() -> None:
    """Re-build every model that (transitively) holds a registry field, inner first.

    Called when a kind is registered after the schema was built. pydantic embeds
    a nested model's validator in its parent, so parents are rebuilt after children.
    """
    models = _models()
    deps = _dependencies(models)
    touched = _holders(models, deps)
    done: set[type[BaseModel]] = set()

    def visit(m: type[BaseModel]) -> None:
        if m in done:
            return
        done.add(m)
        for d in deps[m]:
            if d in touched:
                visit(d)
        m.model_rebuild(force=True)

    for m in models:
        if m in touched:
            visit(m)


def _dependencies(
    models: list[type[BaseModel]],
) -> dict[type[BaseModel], set[type[BaseModel]]]:
    """The models each model's fields mention (registry unions: their current kinds)."""
    known = set(models)
    deps: dict[type[BaseModel], set[type[BaseModel]]] = {}
    for m in models:
        into: set[type[BaseModel]] = set()
        for f in m.model_fields.values():
            _refs(f.annotation, known, into)
            for meta in f.metadata:
                _refs(meta, known, into)
        deps[m] = into - {m}
    return deps


def _holders(
    models: list[type[BaseModel]], deps: dict[type[BaseModel], set[type[BaseModel]]]
) -> set[type[BaseModel]]:
    """Models with a registry field, and every model that contains one of them."""
    touched = {m for m in models if any(isinstance(x, _UnionOf) for x in _markers(m))}
    changed = True
    while changed:
        changed = False
        for m, d in deps.items():
            if m not in touched and d & touched:
                touched.add(m)
                changed = True
    return touched


def _markers(m: type[BaseModel]) -> Iterator[Any]:
    for f in m.model_fields.values():
        yield from f.metadata
        yield from _walk(f.annotation)


def _walk(tp: Any) -> Iterator[Any]:
    yield from getattr(tp, "__metadata__", ())
    for arg in get_args(tp):
        yield arg
        yield from _walk(arg)


def registered_members(metadata: Any) -> list[type[KindModel]]:
    """Config models behind a registry field's metadata (for error-path walking)."""
    out: list[type[KindModel]] = []
    for meta in metadata:
        if isinstance(meta, _UnionOf):
            out.extend(k.config for k in meta.registry)
    return out
