"""Loads the PHI guard's rules: the shipped file, or the one an administrator named in ``guard_rules``."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from desktop_app.core.phi_guard import GuardRules, GuardRulesError
from desktop_app.services.shipped import resources_dir

BUILT_IN_RULES = Path("guard") / "phi-rules.json"


def load_guard_rules(path: str = "") -> GuardRules:
    """The rules in ``path`` ("" = the built-in ones); GuardRulesError in words if they cannot be used.

    A broken administrator's file is refused loudly rather than replaced by the built-in rules:
    a guard that silently turns into another guard is worse than one that says it is broken.
    """
    chosen = Path(path).expanduser() if path else resources_dir() / BUILT_IN_RULES
    try:
        stamp = chosen.stat().st_mtime_ns
    except OSError as error:
        raise GuardRulesError(f"the PHI guard's rules file {chosen} cannot be read: {error.strerror}") from None
    return _parsed(str(chosen), stamp)


@lru_cache(maxsize=4)
def _parsed(path: str, _stamp: int) -> GuardRules:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise GuardRulesError(f"the PHI guard's rules file {path} is not readable JSON: {error}") from None
    try:
        return GuardRules.from_json(data)
    except GuardRulesError as error:
        raise GuardRulesError(f"the PHI guard's rules file {path}: {error}") from None
