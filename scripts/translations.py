"""Helpers for scripts/update-translations.sh (also used by tests/gui/test_spanish.py).

``strings``: writes desktop_app/ui/settings_strings.py, the settings schema's labels, help, choices and
suffixes as QT_TRANSLATE_NOOP entries, so lupdate (which reads the GUI only) extracts them.
``check TS``: lists every message of the catalogue still without a translation; exit 1 if any.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRINGS = ROOT / "desktop_app" / "ui" / "settings_strings.py"
CONTEXT = "settings"


def schema_strings() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from desktop_app.services.settings_schema import TABS, Settings

    found: dict[str, None] = dict.fromkeys(TABS)
    for item in fields(Settings):
        spec = item.metadata.get("spec")
        if spec is None or spec.tab is None:
            continue
        for text in (spec.label, spec.help, spec.suffix.strip(), spec.zero, *(label for _v, label in spec.choices)):
            if text:
                found.setdefault(text, None)
    return list(found)


def strings_module() -> str:
    lines = ['"""The settings schema\'s words for the translation catalogue (scripts/update-translations.sh',
             'writes this file from services/settings_schema.py; ui/settings_form.py translates them in context',
             '"settings")."""',
             "", "from PySide6.QtCore import QT_TRANSLATE_NOOP", "", "SETTINGS_STRINGS = ("]  # fmt: skip
    lines += [
        f'    QT_TRANSLATE_NOOP("{CONTEXT}", {json.dumps(text, ensure_ascii=False)}),' for text in schema_strings()
    ]
    return "\n".join([*lines, ")", ""])


def unfinished(ts: Path) -> list[tuple[str, str]]:
    missing = []
    for context in ET.parse(ts).getroot().iter("context"):  # noqa: S314 (our own catalogue)
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type") == "unfinished" or not (translation.text or "").strip():
                missing.append((name, message.findtext("source", "")))
    return missing


def main(argv: list[str]) -> int:
    if argv[1] == "strings":
        STRINGS.write_text(strings_module(), "utf-8")
        return 0
    missing = unfinished(Path(argv[2]))
    for context, source in missing:
        print(f"untranslated [{context}] {source}")
    print(f"{len(missing)} untranslated", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
