"""Renderers for the outbox: one per kind of delivery, registered by the feature that sends it.

A renderer turns a delivery row into the message text and buttons, in the recipient's language
(the sender sets it), or returns ``None`` when the message is no longer relevant.
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler.sender import Renderer

RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        if kind in RENDERERS:
            raise ValueError(f"two renderers for {kind!r}")
        RENDERERS[kind] = function
        return function

    return register
