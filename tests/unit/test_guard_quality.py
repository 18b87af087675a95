"""The guards' quality on the checked-in corpus meets the issue's targets (recall on slips and PHI,
false positives on ordinary addresses and subjects); timings are the benchmark's business."""

from __future__ import annotations

import pytest

from benchmarks.guard_corpus import OUTPUT, render
from benchmarks.guard_quality import TARGETS, load_corpus, measure

CORPUS = load_corpus()


def test_the_corpus_is_what_its_script_makes() -> None:
    assert OUTPUT.read_text("utf-8") == render(), "run: python -m benchmarks.guard_corpus"


def test_the_corpus_is_as_large_as_the_issue_asks() -> None:
    assert len(CORPUS["book"]) >= 500
    assert len(CORPUS["slips"]) >= 500
    assert len(CORPUS["ordinary_addresses"]) >= 500
    assert len(CORPUS["ordinary_subjects"]) >= 500
    assert len(CORPUS["phi_subjects"]) >= 200
    assert {s["kind"] for s in CORPUS["slips"]} == {"domain", "local", "homoglyph", "tld", "known_typo"}


@pytest.mark.parametrize("part", ["corpus", "held_out"])
def test_quality_meets_the_targets(part: str) -> None:
    quality = measure(CORPUS, CORPUS if part == "corpus" else CORPUS["held_out"])
    assert quality.slip_recall >= TARGETS["slip_recall"], quality.missed
    assert quality.phi_recall() >= TARGETS["phi_recall"], quality.missed
    assert quality.address_fp <= TARGETS["address_fp"], quality.false_alarms
    assert quality.subject_fp <= TARGETS["subject_fp"], quality.false_alarms
    assert quality.slips_right_suggestion / quality.slips >= 0.9
