"""Before a message is queued: is every recipient the one meant, and does the subject hold PHI?

One judgement for the composer, ``sealpost send`` and ``sealpost batch``: :func:`judge` returns
what stops the message (with the suggestion), what is only said, and what the user overrode (a
confirmed recipient, an overridden rule) so the caller can audit it with the message's id.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from desktop_app.core.lookalike import AddressIndex, Finding
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.phi_guard import Action, GuardHit, GuardRules, NameIndex
from desktop_app.store.audit_log import AuditLog

SAID_ONLY = frozenset({Finding.BOUNCED})
"""Findings that are said but never stop a message (a bounce may have been a full mailbox)."""


@dataclass(frozen=True)
class Stop:
    """One reason not to send: ``what`` is the address or the rule id the user would confirm or override."""

    kind: str  # "recipient", "unverified" or "guard"
    what: str
    words: str
    suggestion: str = ""
    hit: GuardHit | None = None


@dataclass
class Verdict:
    stops: list[Stop] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    overridden: list[tuple[str, str]] = field(default_factory=list)  # (audit action, detail without PHI)

    @property
    def ok(self) -> bool:
        return not self.stops


def judge(
    message: OutgoingMessage,
    index: AddressIndex,
    rules: GuardRules,
    names: NameIndex | None = None,
    *,
    confirmed: Collection[str] = (),
    overridden_rules: Collection[str] = (),
    require_verified: bool = False,
) -> Verdict:
    """Check every recipient and the subject (and the body, for rules that say so)."""
    verdict = Verdict()
    confirmed_keys = {c.strip().casefold() for c in confirmed}
    for address in message.all_recipients:
        key = address.email.casefold()
        issues = index.check(address.email, address.display_name)
        verdict.warnings.extend(i.summary for i in issues if i.finding in SAID_ONLY)
        stopping = [i for i in issues if i.finding not in SAID_ONLY]
        known = index.get(address.email)
        if require_verified and (known is None or not known.verified):
            verdict.stops.append(Stop("unverified", address.email, (
                f"{address.email} is not verified in the address book, and this profile sends only to verified "
                f"addresses: verify it first (sealpost contacts verify {address.email} --how phone, in-person, "
                "ehr or reply)."
            )))  # fmt: skip
        elif stopping and key in confirmed_keys:
            findings = ", ".join(sorted({i.finding.value for i in stopping}))
            verdict.overridden.append(("recipient_confirmed", f"{findings}; suggestion declined"))
        elif stopping:
            first = next((i for i in stopping if i.suggestion), stopping[0])
            words = " ".join(dict.fromkeys(i.words for i in stopping))
            verdict.stops.append(Stop("recipient", address.email, words, first.suggestion))
    for hit in rules.check(message.subject, message.text, names=names):
        if hit.rule.action is Action.WARN:
            verdict.warnings.append(hit.summary)
        elif hit.rule.action is Action.SECURE_NOTIFICATION and message.force_secure_notification:
            continue
        elif hit.rule.id in overridden_rules:
            verdict.overridden.append(("guard_overridden", f"rule {hit.rule.id} ({hit.field})"))
        else:
            verdict.stops.append(Stop("guard", hit.rule.id, hit.summary, hit=hit))
    return verdict


def record_overrides(store: AuditLog, message_id: int, verdict: Verdict, reason: str) -> None:
    """Audit what the user overrode for a queued message: which check, never the address, and why."""
    for action, detail in verdict.overridden:
        store.audit(action, message_id=message_id, detail=f"{detail}; reason: {reason}")
