"""Scenario 10: how well the recipient and subject guards judge, and what one message's check costs.

Quality (recall on slips and PHI subjects, false positives on ordinary addresses and subjects) is
measured on the checked-in corpus (``benchmarks/guard_corpus.py``); ``tests/unit/test_guard_quality.py``
asserts the same figures against their targets. The cost is one message's full check (three
recipients and the subject) against an address book of 10,000 contacts.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from benchmarks.common import ScenarioResult, median, percentile, runs_text
from benchmarks.guard_corpus import OUTPUT, _people
from desktop_app.core.lookalike import AddressIndex, KnownAddress
from desktop_app.core.phi_guard import GuardRules, NameIndex
from desktop_app.services.guard import load_guard_rules

TARGETS = {"slip_recall": 0.95, "phi_recall": 0.95, "address_fp": 0.02, "subject_fp": 0.05}


@dataclass
class Quality:
    slips: int = 0
    slips_caught: int = 0
    slips_right_suggestion: int = 0
    ordinary_addresses: int = 0
    addresses_flagged: int = 0
    phi: Counter[str] = field(default_factory=Counter)
    phi_caught: Counter[str] = field(default_factory=Counter)
    ordinary_subjects: int = 0
    subjects_stopped: int = 0
    subjects_warned: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def slip_recall(self) -> float:
        return self.slips_caught / self.slips

    @property
    def address_fp(self) -> float:
        return self.addresses_flagged / self.ordinary_addresses

    @property
    def subject_fp(self) -> float:
        return self.subjects_stopped / self.ordinary_subjects

    def phi_recall(self, kinds: tuple[str, ...] = ("dob", "ssn", "mrn")) -> float:
        return sum(self.phi_caught[k] for k in kinds) / sum(self.phi[k] for k in kinds)


def load_corpus() -> dict[str, Any]:
    return dict(json.loads(OUTPUT.read_text("utf-8")))


def index_for(book: list[dict[str, str]]) -> AddressIndex:
    return AddressIndex(KnownAddress(p["email"], p["name"], verified=True) for p in book)


def measure(corpus: dict[str, Any], part: dict[str, Any], rules: GuardRules | None = None) -> Quality:
    """Judge one part of the corpus (the main one or ``held_out``) with the shipped rules."""
    rules = rules or load_guard_rules()
    index = index_for(corpus["book"])
    names = NameIndex(p["name"] for p in corpus["book"])
    today = date.fromisoformat(corpus["today"])
    quality = Quality()
    for slip in part["slips"]:
        issues = index.check(slip["typed"])
        quality.slips += 1
        quality.slips_caught += bool(issues)
        quality.slips_right_suggestion += any(i.suggestion == slip["meant"] for i in issues)
        if not issues:
            quality.missed.append(f"{slip['kind']}: {slip['typed']}")
    for address in part["ordinary_addresses"]:
        issues = index.check(address)
        quality.ordinary_addresses += 1
        quality.addresses_flagged += bool(issues)
        quality.false_alarms.extend(f"{address}: {i.words}" for i in issues)
    for item in part["phi_subjects"]:
        hits = rules.check(item["subject"], names=names, today=today)
        quality.phi[item["kind"]] += 1
        quality.phi_caught[item["kind"]] += any(h.stops for h in hits)
        if not any(h.stops for h in hits):
            quality.missed.append(f"{item['kind']}: {item['subject']}")
    for subject in part["ordinary_subjects"]:
        hits = rules.check(subject, names=names, today=today)
        quality.ordinary_subjects += 1
        quality.subjects_stopped += any(h.stops for h in hits)
        quality.subjects_warned += bool(hits) and not any(h.stops for h in hits)
        quality.false_alarms.extend(f"{subject}: {h.rule.id} {h.text}" for h in hits if h.stops)
    return quality


def check_cost(contacts: int = 10_000, runs: int = 2000) -> tuple[list[float], float]:
    """Milliseconds per message (three recipients and the subject) with ``contacts`` in the book,
    and the seconds it takes to build the index from them."""
    rng = random.Random(10)
    book = _people(rng, contacts, set(), org_share=0.3)
    started = time.perf_counter()
    index = index_for(book)
    names = NameIndex(p["name"] for p in book)
    built = time.perf_counter() - started
    rules = load_guard_rules()
    known = book[0]["email"]
    local = known.rpartition("@")[0]
    messages = [
        ([known, f"{local}@gmial.com", f"new.person{n}@gmail.com"], f"Lab results for {book[n]['name']} DOB 03/14/1962")
        for n in range(50)
    ]  # fmt: skip
    timings = []
    for n in range(runs):
        recipients, subject = messages[n % len(messages)]
        began = time.perf_counter()
        for address in recipients:
            index.check(address)
        rules.check(subject, names=names)
        timings.append((time.perf_counter() - began) * 1000)
    return timings, built


def guard_quality(contacts: int = 10_000, runs: int = 2000) -> ScenarioResult:
    result = ScenarioResult(10, "Recipient and subject guards: quality on the corpus, cost of one message's check")
    corpus = load_corpus()
    for label, part in (("corpus", corpus), ("held-out", corpus["held_out"])):
        q = measure(corpus, part)
        result.add(f"slips caught ({label}, {q.slips})", q.slip_recall * 100, "%", "≥ 95 %", ok=q.slip_recall >= 0.95,
                   note=f"right suggestion for {q.slips_right_suggestion / q.slips:.1%}")  # fmt: skip
        result.add(f"ordinary addresses flagged ({label}, {q.ordinary_addresses})", q.address_fp * 100, "%", "≤ 2 %",
                   ok=q.address_fp <= 0.02)  # fmt: skip
        recall = q.phi_recall()
        per_kind = ", ".join(f"{k} {q.phi_caught[k]}/{q.phi[k]}" for k in sorted(q.phi))
        result.add(f"DOB/SSN/MRN subjects stopped ({label})", recall * 100, "%", "≥ 95 %", ok=recall >= 0.95,
                   note=per_kind)  # fmt: skip
        result.add(f"ordinary subjects stopped ({label}, {q.ordinary_subjects})", q.subject_fp * 100, "%", "≤ 5 %",
                   ok=q.subject_fp <= 0.05, note=f"{q.subjects_warned} more only warned (a phone number)")  # fmt: skip
    timings, built = check_cost(contacts, runs)
    middle = median(timings)
    result.add(f"one message's check, {contacts:,} contacts (median)", middle, "ms", "< 5 ms", ok=middle < 5,
               note=runs_text([percentile(timings, q) for q in (0.1, 0.5, 0.9)], "ms (p10, p50, p90)"))  # fmt: skip
    result.add(f"one message's check, {contacts:,} contacts (p99)", percentile(timings, 0.99), "ms",
               note=f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: the tail is the "
               "scheduler's")  # fmt: skip
    result.add(f"building the index of {contacts:,} contacts", built * 1000, "ms",
               note="once per address-book change, off the GUI thread")  # fmt: skip
    return result
