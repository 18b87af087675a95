"""Path resolution across the three Paubox base-URL generations.

``/v1/email/…`` (newest), ``/v1/…`` (Aug 2026) and ``/v1/<api_username>/…`` (legacy) all reach
the same handlers; anything else is unrouted and answered like the real gateway (HTML 404).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .runtime import Runtime

Handler = Callable[[web.Request, "Runtime", dict[str, str]], Awaitable[web.StreamResponse]]

LEGACY = "legacy"
V1 = "v1"
V1_EMAIL = "v1_email"


@dataclass(frozen=True)
class Route:
    """One API path (e.g. ``dynamic_templates/{id}``) with a handler per HTTP method."""

    name: str
    methods: Mapping[str, Handler]
    sends: frozenset[str] = frozenset()  # methods that record a message: accept-then-fail applies
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.name.split("/")))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for pattern, part in zip(self.segments, parts, strict=True):
            if pattern.startswith("{"):
                if not part:
                    return None
                params[pattern[1:-1]] = part
            elif pattern != part:
                return None
        return params


@dataclass(frozen=True, slots=True)
class Resolved:
    generation: str
    username: str | None
    route: Route
    params: dict[str, str]


class Router:
    def __init__(self, routes: tuple[Route, ...]) -> None:
        self._routes = routes

    def _match(self, parts: list[str]) -> tuple[Route, dict[str, str]] | None:
        for route in self._routes:
            params = route.match(parts)
            if params is not None:
                return route, params
        return None

    def resolve(self, path: str, *, strict_newest: bool) -> Resolved | None:
        if not path.startswith("/v1/"):
            return None
        parts = path[4:].removesuffix("/").split("/")
        if parts[0] == "email" and (found := self._match(parts[1:])):
            return Resolved(V1_EMAIL, None, *found)
        if strict_newest:
            return None
        if found := self._match(parts):
            return Resolved(V1, None, *found)
        if parts[0] and (found := self._match(parts[1:])):
            return Resolved(LEGACY, parts[0], *found)
        return None
