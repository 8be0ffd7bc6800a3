"""Immutable value classes for the modules `mlf run` imports on every start (contract, config, torchrun, the gate).

`@dataclass(frozen=True)` costs those starts twice: importing dataclasses pulls in inspect, ast, dis and tokenize,
and each decorated class compiles its methods at import. Measured with `python -X importtime` on the 2-core test
machine: about 10 ms for the import and 0.5-1 ms per class, against a 13 ms `python -c pass`. A subclass lists its
fields as annotations, in order, with class-level defaults (a callable in `FACTORIES` for mutable ones), and gets
keyword-or-positional construction, `__post_init__`, equality, hashing and repr, as a frozen dataclass does.
"""

from __future__ import annotations


class Frozen:
    FIELDS: tuple[str, ...] = ()
    FACTORIES: dict = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        own = list(cls.__dict__.get("__annotations__", {}))
        cls.FIELDS = tuple(dict.fromkeys((*cls.FIELDS, *own)))

    def __init__(self, *args, **kwargs) -> None:
        cls = type(self)
        if len(args) > len(cls.FIELDS):
            raise TypeError(f"{cls.__name__}() takes {len(cls.FIELDS)} arguments, {len(args)} given")
        values = dict(zip(cls.FIELDS, args))
        for name, value in kwargs.items():
            if name not in cls.FIELDS or name in values:
                raise TypeError(f"{cls.__name__}() got an unexpected or repeated argument {name!r}")
            values[name] = value
        for name in cls.FIELDS:
            if name in values:
                continue
            if name in cls.FACTORIES:
                values[name] = cls.FACTORIES[name]()
            elif hasattr(cls, name):
                values[name] = getattr(cls, name)
            else:
                raise TypeError(f"{cls.__name__}() missing required argument {name!r}")
        for name in cls.FIELDS:
            object.__setattr__(self, name, values[name])
        post = getattr(self, "__post_init__", None)
        if post is not None:
            post()

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self.FIELDS)})"

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is immutable")
