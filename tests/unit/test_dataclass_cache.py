"""The compiled dataclass methods kept beside the bytecode (desktop_app/dataclass_cache.py): the same
classes as without them, nothing compiled that the file holds, and a bad file never used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_DESCRIBE = """
import builtins, dataclasses, inspect, json, sys
from desktop_app import dataclass_cache
mode, path = sys.argv[1], sys.argv[2]
compiled = []
real = dataclass_cache._compiled
dataclass_cache._compiled = lambda source: (compiled.append(source), real(source))[1]
if mode == "plain":
    setattr(dataclasses, "exec", builtins.exec)  # the stdlib's own way, for comparison
else:
    assert dataclass_cache.install(path) is (mode == "cached")
from desktop_app.services.settings_schema import Settings
from desktop_app.core.records import ActivityEvent
s = Settings(profile_id="p1")  # its default is a new random id
try:
    s.theme = "dark"
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
event = ActivityEvent(1.0, "POST", "messages", 200, 3.5, 1, "ok")
print(json.dumps({
    "repr": repr(s), "eq": s == Settings(profile_id="p1") and s != dataclasses.replace(s, theme="dark"),
    "hash": hash(s) == hash(Settings(profile_id="p1")), "frozen": frozen, "signature": str(inspect.signature(Settings)),
    "fields": [f.name for f in dataclasses.fields(Settings)], "event": repr(event),
    "annotations": sorted(map(str, ActivityEvent.__init__.__annotations__.values())),
    "compiled": len(compiled),
}))
"""


def _describe(mode: str, path: Path) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", _DESCRIBE, mode, str(path)], cwd=REPO, capture_output=True,
                            text=True, check=True)  # fmt: skip
    described: dict[str, object] = json.loads(result.stdout)
    return described


def _write(path: Path) -> int:
    result = subprocess.run([sys.executable, "scripts/write-dataclass-cache.py", str(path)], cwd=REPO,
                            capture_output=True, text=True, check=True)  # fmt: skip
    return int(result.stdout.split()[0])


def test_the_cached_classes_are_the_classes_python_builds(tmp_path: Path) -> None:
    cache = tmp_path / "methods.bin"
    assert _write(cache) > 300  # every module's dataclasses: the app's and the libraries' it imports
    plain, cached = _describe("plain", cache), _describe("cached", cache)
    assert plain["compiled"] == 0  # the comparison really bypassed the file
    assert cached.pop("compiled") == 0  # nothing the file holds was compiled again
    plain.pop("compiled")
    assert cached == plain
    assert (plain["frozen"], plain["eq"], plain["hash"]) == (True, True, True)


def test_a_damaged_or_foreign_file_is_not_used(tmp_path: Path) -> None:
    from desktop_app import dataclass_cache

    good = tmp_path / "methods.bin"
    _write(good)
    data = good.read_bytes()
    for name, content in {
        "missing": None,
        "empty": b"",
        "another-python": b"\x00\x00\r\n" + data[4:],
        "truncated": data[: len(data) // 2],
        "one-byte-changed": data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 0x20]) + data[len(data) // 2 + 1 :],
        "garbage": b"\x89PNG" * 100,
    }.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        assert dataclass_cache._load(str(path)) == {}, name
        assert _describe("refused", path)["frozen"] is True, name  # install() said False; classes still build


def test_a_damaged_entry_is_compiled_as_python_would(tmp_path: Path) -> None:
    import marshal

    from desktop_app import dataclass_cache

    good = tmp_path / "methods.bin"
    _write(good)
    codes = dataclass_cache._load(str(good))
    body = marshal.dumps({text: b"not code" for text in codes})
    bad = tmp_path / "bad.bin"
    bad.write_bytes(dataclass_cache._HEADER + dataclass_cache._crc(body) + body)  # whole, but its entries are not code
    described = _describe("cached", bad)
    assert described["compiled"] > 0  # each entry refused, compiled instead
    assert (described["frozen"], described["eq"]) == (True, True)


def test_methods_are_compiled_without_this_modules_compiler_flags() -> None:
    """The generated code must not inherit ``from __future__ import annotations`` from a caller (this
    test module has it): the dataclasses module compiles without it, so annotations stay objects."""
    from desktop_app.dataclass_cache import _compiled

    namespace: dict[str, object] = {}
    exec(_compiled("def f(x: int) -> None: pass"), namespace)
    function = namespace["f"]
    assert function.__annotations__ == {"x": int, "return": None}  # type: ignore[attr-defined]


def test_the_file_is_written_as_python_writes_bytecode(tmp_path: Path) -> None:
    """The source's mode (never wider), a name no one can plant beforehand, nothing left beside it."""
    import os
    import stat

    from desktop_app import dataclass_cache

    cache = tmp_path / "methods.bin"
    _write(cache)
    source_mode = stat.S_IMODE(os.stat(dataclass_cache.__file__).st_mode) & 0o666
    assert stat.S_IMODE(cache.stat().st_mode) == source_mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["methods.bin"]
