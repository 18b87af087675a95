"""The PHI guard on subjects: what it must catch, what it must leave alone, and a rules file an
administrator can get wrong."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from desktop_app.core.phi_guard import Action, GuardRules, GuardRulesError, NameIndex
from desktop_app.services.guard import load_guard_rules

TODAY = date(2026, 12, 1)
RULES = load_guard_rules()
NAMES = NameIndex(["Maria Lopez", "Jane Q. Doe"])


def hits(subject: str) -> list[tuple[str, str]]:
    return [(h.rule.id, h.text) for h in RULES.check(subject, names=NAMES, today=TODAY)]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Lab results DOB 03/14/1962", [("date-of-birth", "03/14/1962")]),
        ("Records for patient b. March 14, 1962", [("date-of-birth", "March 14, 1962")]),
        ("Follow-up 4/5/79", [("date-of-birth", "4/5/79")]),
        ("Referral 1962-03-14", [("date-of-birth", "1962-03-14")]),
        ("Born 1962, referral", [("date-of-birth", "1962")]),
        ("Form for 987-65-4320", [("ssn", "987-65-4320")]),
        ("SSN 987654320 on file", [("ssn", "987654320")]),
        ("MRN: 00483921 follow up", [("mrn", "00483921")]),
        ("Chart # AB-1234567 results", [("mrn", "AB-1234567")]),
        ("Please call (617) 555-0134", [("phone", "(617) 555-0134")]),
        ("Results for Doe, Jane", [("contact-name", "Doe, Jane")]),
        ("María López — referral", [("contact-name", "María López")]),
    ],
)
def test_phi_is_found_and_located(subject: str, expected: list[tuple[str, str]]) -> None:
    assert hits(subject) == expected
    for hit in RULES.check(subject, names=NAMES, today=TODAY):
        assert subject[hit.start : hit.end] == hit.text
        assert hit.rule.id in hit.summary


@pytest.mark.parametrize(
    "subject",
    [
        "Invoice 2026-1141",
        "Your appointment on 12/03",
        "Your appointment on 12/03/2026",
        "Room 214 is now Room 216",
        "Statement for 01/15/2019 visit",
        "Flu shots from 10/01/2026",
        "Order 20261141 shipped",
        "Dr. Lopez's office hours",
        "Policy 2.3.1 update",
    ],
)
def test_ordinary_subjects_pass(subject: str) -> None:
    assert hits(subject) == []


def test_each_rule_has_its_action() -> None:
    actions = {rule.id: rule.action for rule in RULES.rules}
    assert actions["date-of-birth"] is Action.BLOCK
    assert actions["phone"] is Action.WARN
    assert actions["contact-name"] is Action.SECURE_NOTIFICATION


def test_body_rules_are_opt_in() -> None:
    (hit,) = RULES.check("Form", "SSN 987-65-4320", today=TODAY)
    assert (hit.rule.id, hit.field) == ("ssn", "body")
    assert RULES.check("Form", "DOB 03/14/1962", today=TODAY) == []


def test_an_administrator_file_replaces_the_built_in_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [{"id": "site-mrn", "kind": "pattern", "action": "block",
                                           "pattern": r"\bRV\d{6}\b", "words": "A Riverside MRN."}]}))  # fmt: skip
    rules = load_guard_rules(str(path))
    assert [h.rule.id for h in rules.check("Results RV123456")] == ["site-mrn"]
    assert rules.check("DOB 03/14/1962") == []


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "not readable JSON"),
        ('{"rules": [{"id": "x", "kind": "pattern", "action": "block", "words": "w", "pattern": "("}]}',
         "not a valid regular expression"),
        ('{"rules": [{"id": "x", "kind": "guess", "action": "block", "words": "w"}]}', "kind should be one of"),
        ('{"rules": [{"id": "x", "kind": "ssn", "action": "block", "words": ""}]}', "needs words"),
        ('{"rules": [{"id": "x", "kind": "ssn", "action": "block", "words": "w"}, '
         '{"id": "x", "kind": "ssn", "action": "warn", "words": "w"}]}', "share the id"),
    ],
)  # fmt: skip
def test_a_broken_rules_file_is_refused_in_words(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(content)
    with pytest.raises(GuardRulesError, match=words):
        load_guard_rules(str(path))


def test_a_missing_rules_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GuardRulesError, match="cannot be read"):
        load_guard_rules(str(tmp_path / "nope.json"))


def test_rules_from_json_refuse_a_non_object() -> None:
    with pytest.raises(GuardRulesError):
        GuardRules.from_json([])
