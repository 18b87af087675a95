#!/usr/bin/env python3
"""Write desktop_app/core/phone_facts.py: what the PHI guard's phone shortcut needs of phonenumbers'
metadata (its punctuation, and each region's shortest national number and international prefix), so
a subject without digits enough for a phone number is answered without loading phonenumbers (≈ 25 ms).

    python scripts/gen-phone-facts.py          # rewrite it (after phonenumbers is upgraded)
    python scripts/gen-phone-facts.py --check  # exit 1 if it is out of date (tests/unit/test_phone_facts.py)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import phonenumbers

OUTPUT = Path(__file__).resolve().parents[1] / "desktop_app" / "core" / "phone_facts.py"


def facts_text() -> str:
    regions: dict[str, tuple[int, str]] = {}
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None or metadata.general_desc is None or not metadata.general_desc.possible_length:
            continue
        regions[region] = (min(metadata.general_desc.possible_length), metadata.international_prefix or "")
    rows = "\n".join(
        f"    {_quoted(region)}: ({length}, {_quoted(prefix)})," for region, (length, prefix) in regions.items()
    )
    return (
        '"""What the PHI guard\'s phone shortcut needs of phonenumbers\' metadata, for the version named here.\n\n'
        "Written by scripts/gen-phone-facts.py; do not edit. core/phi_guard.py uses it only when that very\n"
        'version is installed, and loads phonenumbers otherwise."""\n\n'
        f"VERSION = {_quoted(phonenumbers.__version__)}\n"
        f"VALID_PUNCTUATION = {_quoted(phonenumbers.phonenumberutil._VALID_PUNCTUATION)}  # noqa: E501\n"
        "REGIONS: dict[str, tuple[int, str]] = {  # region: (shortest national number, international prefix)\n"
        f"{rows}\n}}\n"
    )


def _quoted(text: str) -> str:
    """A Python string literal in double quotes, every character past ASCII as an escape."""
    return json.dumps(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args()
    text = facts_text()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python scripts/gen-phone-facts.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
