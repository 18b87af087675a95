"""``sealpost policy``: every effective setting and policy, where it came from, and what is wrong.

Exit 0, or 1 when a policy source has a problem (each is also on stderr, by file and key), so a
deployment script can check a desk: ``sealpost policy --json --policy-dir DIR``.
"""

from __future__ import annotations

import argparse
import json

from desktop_app.services.profile import Profile


def policy_command(profile: Profile, args: argparse.Namespace) -> int:
    report = profile.policies.report(profile.settings, profile.origins)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(f"Policies read from: {report['read_from']}")
        for name, entry in report["policies"].items():
            where = f" ({entry['file']})" if entry["file"] else ""
            print(f"{name:28} {json.dumps(entry['value']):30} {entry['source']}{where}")
        for note in report["notes"]:
            print(f"note: {note}")
    return 1 if report["problems"] else 0
