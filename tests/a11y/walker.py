"""Walks a running Sealpost's accessibility tree over AT-SPI, as a screen reader sees it.

Runs under Debian's own ``/usr/bin/python3`` (pyatspi is a system package, not in the venv):
``walker.py PID TITLE...``. Prints one JSON object: per window, the focusable controls found and
the problems (unnamed control, unfitting role, text field without a label, table column without a
header, two controls with one name). It uses only the standard library and pyatspi.
"""

from __future__ import annotations

import json
import sys
import time

import pyatspi  # type: ignore[import-not-found]

FIND_APP_SECONDS = 30.0
MAX_NODES = 6000
# Roles a control that takes keyboard focus must not have: they say nothing about what it does.
VAGUE_ROLES = {"unknown", "filler", "panel", "invalid", "redundant object", "window", "frame"}
TEXT_ROLES = {"text", "entry", "password text", "spin button", "editbar"}
TABLE_ROLES = {"table", "tree table"}
LEAF_CONTAINERS = TABLE_ROLES | {"list", "tree", "list box"}  # their items are data, not controls
CONTROL_ROLES = {"push button", "toggle button", "check box", "radio button", "combo box", "page tab", "link",
                 "slider", "menu item", "check menu item", "radio menu item"} | TEXT_ROLES  # fmt: skip


def find_application(pid: int) -> object:
    deadline = time.monotonic() + FIND_APP_SECONDS
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            try:
                if app is not None and app.get_process_id() == pid:
                    return app
            except Exception:  # an application that went away meanwhile
                continue
        time.sleep(0.25)
    raise SystemExit(json.dumps({"error": f"no application with pid {pid} on the accessibility bus"}))


def states(node: object) -> set[str]:
    return {pyatspi.stateToString(s) for s in node.getState().getStates()}  # type: ignore[attr-defined]


def role(node: object) -> str:
    return str(node.getRoleName())  # type: ignore[attr-defined]


def labels(node: object) -> list[str]:
    """The names of the objects this one is labelled by (QLabel buddies, group box titles)."""
    found = []
    for relation in node.getRelationSet():  # type: ignore[attr-defined]
        if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY:
            found.extend(str(relation.getTarget(i).name or "") for i in range(relation.getNTargets()))
    return found


GROUPS = {"filler", "panel", "page tab", "tool bar", "dialog", "frame", "split pane"}


def group_of(path: list[str]) -> str:
    """The named containers around a control: two "Remove" buttons in differently named groups
    ("Attachments", "Profiles") do not confuse; two in one group do."""
    named = []
    for step in path[1:-1]:
        kind, _, name = step.partition(" '")
        if kind in GROUPS and name.rstrip("'"):
            named.append(step)
    return " > ".join(named)


def where(path: list[str]) -> str:
    return " > ".join(path[-4:])


def check_table(node: object, path: list[str], problems: list[str]) -> None:
    try:
        table = node.queryTable()  # type: ignore[attr-defined]
    except NotImplementedError:
        problems.append(f"table without the Table interface at {where(path)}")
        return
    for column in range(table.nColumns):
        header = table.getColumnHeader(column)
        text = (header.name if header is not None else "") or table.getColumnDescription(column)
        if not str(text).strip():
            problems.append(f"table {node.name!r} column {column + 1} has no header, at {where(path)}")  # type: ignore[attr-defined]


def walk_window(window: object) -> dict[str, object]:
    problems: list[str] = []
    controls: list[tuple[str, str, str, str]] = []  # role, name, group, where
    menus: list[str] = []  # the menu bar's titles, as read aloud
    items: list[str] = []  # the items of the lists shown (the navigation's views)
    focusable = 0
    count = 0
    stack: list[tuple[object, list[str]]] = [(window, [f"{role(window)} {window.name!r}"])]  # type: ignore[attr-defined]
    while stack:
        node, path = stack.pop()
        count += 1
        if count > MAX_NODES:
            problems.append(f"more than {MAX_NODES} objects: the walk stopped")
            break
        kind = role(node)
        in_menu = kind in ("menu bar", "menu", "menu item")
        found = states(node)
        showing = "showing" in found or "visible" in found
        if not showing and not in_menu:
            continue
        name = str(node.name or "").strip()  # type: ignore[attr-defined]
        if "focusable" in found and showing and node is not window:
            focusable += 1
            if kind in VAGUE_ROLES and any(role(c) == "page tab list" for c in node):  # type: ignore[attr-defined]
                kind = "page tab list"  # a QTabWidget: its tab bar takes the focus it is given
            if not name:
                problems.append(f"unnamed focusable {kind} at {where(path)}")
            if kind in VAGUE_ROLES:
                problems.append(f"focusable control {name!r} has the vague role {kind!r} at {where(path)}")
            labelled = labels(node)
            if kind in TEXT_ROLES and "editable" in found and not labelled:
                problems.append(f"text field {name!r} has no label relation (QLabel.setBuddy) at {where(path)}")
            if kind == "combo box" and not labelled:  # on Linux Qt names a combo box by its current value
                problems.append(f"combo box showing {name!r} has no label relation (QLabel.setBuddy) at {where(path)}")
            if kind in CONTROL_ROLES and "sensitive" in found:
                named = labelled[0] if kind == "combo box" and labelled else name
                controls.append((kind, named, group_of(path), where(path)))
        if kind == "menu bar":
            menus.extend(str(c.name or "") for c in node)  # type: ignore[attr-defined]
        if kind == "list" and showing:
            items.extend(str(c.name or "") for c in node)  # type: ignore[attr-defined]
        if in_menu and kind == "menu item" and not name and "separator" not in found:
            problems.append(f"unnamed menu item at {where(path)}")
        if kind in TABLE_ROLES:
            check_table(node, path, problems)
        if kind in LEAF_CONTAINERS:
            continue
        for index in range(node.childCount):  # type: ignore[attr-defined]
            child = node.getChildAtIndex(index)  # type: ignore[attr-defined]
            if child is not None:
                stack.append((child, [*path, f"{role(child)} {str(child.name or '')!r}"]))
    seen: dict[tuple[str, str, str], str] = {}
    for kind, name, group, place in controls:
        if not name:
            continue
        key = (kind, name.casefold(), group)
        if key in seen:
            problems.append(f"two {kind}s named {name!r}: at {seen[key]} and at {place}")
        else:
            seen[key] = place
    return {"title": window.name, "objects": count, "focusable": focusable, "problems": problems,  # type: ignore[attr-defined]
            "menus": menus, "items": items}  # fmt: skip


LISTENED = ("object:announcement", "object:property-change:accessible-description",
            "object:property-change:accessible-name")  # fmt: skip


def listen(pid: int, seconds: float) -> int:
    """Print the application's announcements and name/description changes as JSON lines for
    ``seconds``, after a first ``{"listening": true}`` line (the test acts only then)."""
    from gi.repository import GLib  # type: ignore[import-not-found]

    def heard(event: object) -> None:
        try:
            source = event.source  # type: ignore[attr-defined]
            if source.get_process_id() != pid:
                return
            data = event.any_data  # type: ignore[attr-defined]
            text = data if isinstance(data, str) else str(source.description or source.name or "")
            print(json.dumps({"type": event.type, "role": role(source), "name": str(source.name or ""),  # type: ignore[attr-defined]
                              "text": text}), flush=True)  # fmt: skip
        except Exception as error:  # a source that went away: say so, keep listening
            print(json.dumps({"type": "error", "text": str(error)}), flush=True)

    pyatspi.Registry.registerEventListener(heard, *LISTENED)
    GLib.timeout_add(int(seconds * 1000), pyatspi.Registry.stop)
    GLib.timeout_add(200, lambda: print(json.dumps({"listening": True}), flush=True) and False)
    pyatspi.Registry.start()
    return 0


def main(argv: list[str]) -> int:
    if argv[1] == "listen":
        return listen(int(argv[2]), float(argv[3]))
    pid, titles = int(argv[1]), argv[2:]
    app = find_application(pid)
    result: dict[str, object] = {"application": app.name, "windows": []}  # type: ignore[attr-defined]
    windows = result["windows"]
    assert isinstance(windows, list)
    for title in titles:
        deadline = time.monotonic() + FIND_APP_SECONDS
        match = None
        while match is None and time.monotonic() < deadline:
            for window in app:  # type: ignore[attr-defined]
                if window is not None and window.name == title and "showing" in states(window):
                    match = window
            if match is None:
                time.sleep(0.25)
        if match is None:
            shown = [f"{w.name!r} ({role(w)})" for w in app if w is not None]  # type: ignore[attr-defined]
            windows.append({"title": title, "problems": [f"window {title!r} not on the bus; there: {shown}"]})
            continue
        windows.append(walk_window(match))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
