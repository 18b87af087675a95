"""A screen reader's hands on a running Sealpost: finds, reads, types and presses over AT-SPI.

Runs under Debian's own ``/usr/bin/python3`` (pyatspi is a system package, not in the venv):
``remote.py PID``. It reads one JSON command per line on stdin and answers one JSON line on
stdout, so a test in the venv drives the window through the accessibility tree alone
(tests/a11y/session.py ``Remote``). Objects are addressed by a query: the window's accessible
name, a role and a name (exact, or a part of it), and the index among the matches.
It uses only the standard library and pyatspi.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any

import pyatspi  # type: ignore[import-not-found]
import walker  # type: ignore[import-not-found]  # this script's folder

MAX_NODES = 8000
walker.FIND_APP_SECONDS = 120.0  # started with the app, on a loaded machine


def fresh(node: Any) -> Any:
    """Forget what the client cached about ``node``: names and states change as the window does."""
    with contextlib.suppress(Exception):  # a client library without a cache
        node.clear_cache()
    return node


def states(node: Any) -> set[str]:
    return {pyatspi.stateToString(s) for s in node.getState().getStates()}


def describe(node: Any) -> dict[str, Any]:
    fresh(node)
    found: dict[str, Any] = {"role": str(node.getRoleName()), "name": str(node.name or ""),
                             "description": str(node.description or ""), "states": sorted(states(node))}  # fmt: skip
    try:
        text = node.queryText()
        found["text"] = str(text.getText(0, text.characterCount))
    except NotImplementedError:
        pass
    return found


def windows(app: Any) -> list[Any]:
    fresh(app)
    return [w for w in (app.getChildAtIndex(i) for i in range(app.childCount)) if w is not None]


def walk(root: Any, showing_only: bool = True) -> list[Any]:
    """Every object under ``root`` (depth first, in child order) that is on screen."""
    found: list[Any] = []
    stack = [root]
    while stack and len(found) < MAX_NODES:
        node = fresh(stack.pop())
        try:
            here = states(node)
            if showing_only and node is not root and "showing" not in here:
                continue
            found.append(node)
            children = [node.getChildAtIndex(i) for i in range(node.childCount)]
        except Exception:  # an object destroyed while we looked
            continue
        stack.extend(reversed([c for c in children if c is not None]))
    return found


class Remote:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.app = walker.find_application(pid)

    def window(self, title: str | None) -> Any:
        shown = []
        for window in windows(self.app):
            fresh(window)
            if "showing" not in states(window):
                continue
            shown.append(str(window.name))
            if title is None or window.name == title:
                return window
        raise LookupError(f"no window {title!r} on screen; there: {shown}")

    def matches(self, query: dict[str, Any]) -> list[Any]:
        root = self.window(query.get("window"))
        role, name, part = query.get("role"), query.get("name"), query.get("name_contains")
        found = []
        for node in walk(root, showing_only=not query.get("hidden", False)):
            if role is not None and str(node.getRoleName()) != role:
                continue
            label = str(node.name or "")
            if name is not None and label != name:
                continue
            if part is not None and part.casefold() not in (label + " " + str(node.description or "")).casefold():
                continue
            if query.get("text_contains") is not None and query["text_contains"] not in describe(node).get("text", ""):
                continue
            found.append(node)
        return found

    def one(self, query: dict[str, Any]) -> Any:
        found = self.matches(query)
        index = int(query.get("index", 0))
        if len(found) <= index:
            raise LookupError(f"nothing on screen matches {query} (found {len(found)})")
        return found[index]

    def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        op = command["op"]
        if op == "windows":
            return {"windows": [describe(w) | {"extents": self._extents(w)} for w in windows(self.app)]}
        if op == "find":
            return {"found": [describe(node) for node in self.matches(command)]}
        if op == "dump":
            return {"nodes": [describe(node) for node in walk(self.window(command.get("window")))]}
        node = self.one(command)
        if op == "read":
            return describe(node)
        if op == "type":
            editable = node.queryEditableText()
            editable.setTextContents(command["text"])
            return describe(node)
        if op == "press":
            return self._press(node, command.get("action"))
        if op == "focus":
            return {"focused": bool(node.queryComponent().grabFocus())}
        if op == "select":  # a child of a list or table: select it, as arrow keys would
            parent = node.parent
            selection = parent.querySelection()
            return {"selected": bool(selection.selectChild(node.getIndexInParent()))}
        if op == "extents":
            return {"extents": self._extents(node)}
        if op == "children":
            fresh(node)
            return {"children": [describe(c) for c in (node.getChildAtIndex(i) for i in range(node.childCount))
                                 if c is not None]}  # fmt: skip
        raise ValueError(f"unknown op {op!r}")

    @staticmethod
    def _extents(node: Any) -> list[int]:
        box = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        return [int(box.x), int(box.y), int(box.width), int(box.height)]

    @staticmethod
    def _press(node: Any, wanted: str | None) -> dict[str, Any]:
        action = node.queryAction()
        names = [str(action.getName(i)) for i in range(action.nActions)]
        preferred = [wanted] if wanted else ["Press", "press", "click", "Toggle", "toggle", "SetFocus", "activate"]
        for choice in preferred:
            if choice in names:
                return {"done": bool(action.doAction(names.index(choice))), "action": choice, "actions": names}
        raise LookupError(f"{describe(node)['name']!r} has no action {preferred}; it has {names}")


def main(argv: list[str]) -> int:
    remote = Remote(int(argv[1]))  # not on the bus: walker.find_application prints why and exits
    print(json.dumps({"ready": True, "application": str(remote.app.name)}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = remote.handle(json.loads(line))
        except Exception as error:  # the test shows it; the remote keeps serving
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
