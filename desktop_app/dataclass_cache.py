"""Compiled dataclass methods, kept beside the bytecode, so a start does not compile them again.

Python 3.11 writes each dataclass's ``__init__``, ``__repr__``, ``__eq__``, ``__setattr__``… as
source text and compiles it on every start: about 140 µs a method, 0.5-0.8 ms a class. The window
builds 11 dataclasses before its first paint (14 ms) and a mail merge 55 (59 ms).
``make bytecode`` runs :func:`write` (scripts/write-dataclass-cache.py), which imports every module
of the app once and writes what the dataclasses module compiled to ``__pycache__/`` beside the
app's ``.pyc`` files: where Python itself loads code from without a second look, written at the
same time and by the same hand, so the file asks for no trust the bytecode does not.
:func:`install` then lets the dataclasses module find each method's code by its exact source
text. A text not in the file (a class changed since) is compiled as before. The app never writes
the file while it runs. The file is ignored when it is damaged (a CRC-32 over it), or written by another Python,
or for another optimisation level.

No ``from __future__`` import here: a text compiled as the dataclasses module compiles it must
not inherit this module's compiler flags (``dont_inherit=True`` below).
"""

import builtins
import dataclasses
import marshal
import os
import sys
import zlib
from importlib.util import MAGIC_NUMBER, cache_from_source
from types import CodeType
from typing import Any

CACHE_FILE = os.path.join(
    os.path.dirname(cache_from_source(os.path.abspath(__file__))),  # where this module's .pyc goes
    f"dataclass-methods.{sys.implementation.cache_tag}.opt-{sys.flags.optimize}.bin",
)  # fmt: skip
_HEADER = MAGIC_NUMBER + b" sealpost dataclass methods 2\n"
"""Then the CRC-32 of the rest, 4 bytes: a damaged file (a disk error, a copy cut short) is not used."""


def _compiled(source: str) -> CodeType:
    return compile(source, "<string>", "exec", dont_inherit=True)


def _load(path: str) -> dict[str, bytes]:
    """Each method's source text and its marshalled code, or nothing at all if the file is missing,
    damaged or another Python's (a code is read when its class is made: most starts make few)."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return {}
    body = data[len(_HEADER) + 4 :]
    if not data.startswith(_HEADER) or data[len(_HEADER) : len(_HEADER) + 4] != _crc(body):
        return {}
    try:
        codes = marshal.loads(body)  # noqa: S302  # the .pyc files' own format and trust
    except Exception:  # any fault of the file means no file; marshal raises several kinds
        return {}
    if not isinstance(codes, dict):
        return {}
    return {text: code for text, code in codes.items() if isinstance(text, str) and isinstance(code, bytes)}


def _crc(data: bytes) -> bytes:
    return zlib.crc32(data).to_bytes(4, "big")


def _code(blob: bytes | None, source: str) -> CodeType:
    try:
        code = marshal.loads(blob) if blob is not None else None  # noqa: S302
    except Exception:
        code = None
    return code if isinstance(code, CodeType) else _compiled(source)


def install(path: str = CACHE_FILE) -> bool:
    """Let the dataclasses module take methods from ``path``; False when there is nothing to take."""
    codes = _load(path)
    if not codes:
        return False

    def exec_cached(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if isinstance(source, str):
            source = _code(codes.get(source), source)
        builtins.exec(source, globals, locals)  # noqa: S102  # what the dataclasses module was about to run

    setattr(dataclasses, "exec", exec_cached)  # the one name its method factory calls  # noqa: B010
    return True


def write(path: str = CACHE_FILE) -> int:
    """Import every module of the app, recording what the dataclasses module compiles; write it to
    ``path`` (atomically: a start reading it meanwhile sees the old file or the new). Returns the count."""
    import importlib
    import pkgutil
    import tempfile

    recorded: dict[str, CodeType] = {}

    def exec_recording(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if isinstance(source, str):
            source = recorded.setdefault(source, _compiled(source))
        builtins.exec(source, globals, locals)  # noqa: S102

    setattr(dataclasses, "exec", exec_recording)  # noqa: B010
    package = importlib.import_module("desktop_app")
    for module in pkgutil.walk_packages(package.__path__, "desktop_app."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    body = marshal.dumps({text: marshal.dumps(code) for text, code in recorded.items()})
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    # As Python writes a .pyc: a new file of its own (never one planted under a guessable name),
    # with the mode of the source it comes from, moved into place whole.
    handle, partial = tempfile.mkstemp(prefix=".dataclass-methods.", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(_HEADER + _crc(body) + body)
        os.chmod(partial, os.stat(__file__).st_mode & 0o666)
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
    return len(recorded)
