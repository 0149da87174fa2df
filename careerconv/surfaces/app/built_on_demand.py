"""Attributes a method builds the first time one of them is read: the method names what it builds.

A part of a screen that is costly and often not needed (a folded skill card's editors, the Finish step) is
built by one method, when it is first shown - or when code reads one of its attributes first::

    class Card:
        @builds("ten", "approach")
        def open(self):
            if self.built:
                return
            self.built = True
            self.ten = ...
            self.approach = ...

``card.ten`` on a card not opened runs ``card.open()`` and returns what it built. The names are written
once, on the method that builds them (:func:`parts_built_by` lists them, for a test that the method builds
exactly those). The method must be safe to call again (return at once when built): it is called whenever a
part it declares is read and absent - a part it did not build then raises :class:`AttributeError`
(``hasattr`` is False), as for any missing attribute.
"""

from __future__ import annotations

from typing import Callable


class _Part:
    """One attribute built by the method named ``build`` (a non-data descriptor: once the instance has the
    attribute, Python reads it directly and this is not consulted)."""

    def __init__(self, name: str, build: str):
        self.name, self.build = name, build

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        getattr(obj, self.build)()  # asked for before it was shown: built now (at once if built already)
        try:
            return obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute {self.name!r} "
                                 f"({self.build}() did not build it)") from None


class builds:  # noqa: N801 - used as a decorator
    """Declare the attributes a method builds; reading one before it ran runs it (see the module docs).

    Parameters
    ----------
    *names
        The attributes the decorated method assigns.
    """

    def __init__(self, *names: str):
        if not names or len(set(names)) != len(names):
            raise ValueError(f"builds() needs distinct attribute names; got {names!r}")
        self.names = names
        self.method: Callable | None = None

    def __call__(self, method: Callable) -> "builds":
        self.method = method
        return self

    def __set_name__(self, owner: type, name: str) -> None:
        setattr(owner, name, self.method)  # the class keeps the plain method
        for part in self.names:
            if part in vars(owner):
                raise TypeError(f"{owner.__name__}.{part} is defined in the class; {name}() cannot build it")
            setattr(owner, part, _Part(part, name))


def parts_built_by(cls: type, method: str) -> set[str]:
    """The attribute names ``cls.method`` declares with :class:`builds`."""
    return {name for klass in cls.__mro__ for name, value in vars(klass).items()
            if isinstance(value, _Part) and value.build == method}
