"""Look-alike recipients: the slips the issue names are caught with the right suggestion, and
addresses that are simply new are left alone."""

from __future__ import annotations

import pytest

from desktop_app.core.lookalike import AddressIndex, Finding, KnownAddress, skeleton
from tests.helpers.fresh_process import run_fresh

BOOK = AddressIndex([
    KnownAddress("jane.doe@gmail.com", "Jane Doe", verified=True),
    KnownAddress("front.desk@riverside-clinic.org", "Riverside front desk", verified=True),
    KnownAddress("pat.lee@yahoo.com", "Pat Lee"),  # written to before, never verified
    KnownAddress("old@example.net", "Old Address", do_not_email=True),
])  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "finding", "suggestion"),
    [
        ("jane.doe@gmial.com", Finding.KNOWN_TYPO, "jane.doe@gmail.com"),
        ("jane.doe@gmаil.com", Finding.CONFUSABLE, "jane.doe@gmail.com"),  # Cyrillic а
        ("jаne.doe@gmail.com", Finding.CONFUSABLE, "jane.doe@gmail.com"),
        ("jane.deo@gmail.com", Finding.LOCAL_TYPO, "jane.doe@gmail.com"),
        ("front.desk@riverside-clinc.org", Finding.DOMAIN_TYPO, "front.desk@riverside-clinic.org"),
        ("someone@riverside-clinic.ogr", Finding.DOMAIN_TYPO, "someone@riverside-clinic.org"),
        ("new.patient@outlok.com", Finding.KNOWN_TYPO, "new.patient@outlook.com"),
        ("new.patient@hotmaill.com", Finding.DOMAIN_TYPO, "new.patient@hotmail.com"),
    ],
)
def test_slips_are_caught_with_what_was_meant(typed: str, finding: Finding, suggestion: str) -> None:
    issues = BOOK.check(typed)
    assert [(i.finding, i.suggestion) for i in issues] == [(finding, suggestion)]
    assert f"Did you mean {suggestion}?" in issues[0].summary


@pytest.mark.parametrize(
    "typed",
    [
        "jane.doe@gmail.com",  # verified
        "JANE.DOE@GMAIL.COM",
        "janedoe@gmail.com",  # one Gmail mailbox with or without the dot
        "maria.lopez@gmail.com",  # simply new
        "billing@lakeview-health.org",  # a new domain far from any known one
        "jane.doe2@gmail.com",  # another member of a family, not a slip
        "pat.lee@yahoo.com",
        "info@münchen.de",  # an honest internationalised domain
    ],
)
def test_ordinary_addresses_pass(typed: str) -> None:
    assert BOOK.check(typed) == []


def test_a_mixed_script_label_is_named_even_without_a_known_twin() -> None:
    issues = BOOK.check("pаt@new-clinic.org")
    assert [i.finding for i in issues] == [Finding.MIXED_SCRIPT]
    assert "cyrillic small letter a" in issues[0].words
    assert issues[0].suggestion == "pat@new-clinic.org"


def test_the_idna_form_is_shown_for_a_look_alike_domain() -> None:
    (issue,) = BOOK.check("x@gmаil.com")
    assert "xn--gmil-63d.com" in issue.words
    assert issue.suggestion == "x@gmail.com"


def test_a_name_that_is_not_the_address_books_is_flagged_but_a_partial_one_is_not() -> None:
    (issue,) = BOOK.check("jane.doe@gmail.com", "Mary Major")
    assert issue.finding is Finding.NAME_MISMATCH
    assert "Jane Doe" in issue.words
    assert BOOK.check("jane.doe@gmail.com", "Doe, Jane") == []
    assert BOOK.check("jane.doe@gmail.com", "Dr. J. Doe") == []


def test_a_verified_persons_name_at_a_new_address_suggests_the_verified_one() -> None:
    (issue,) = BOOK.check("jdoe1984@hotmail.com", "Jane Doe")
    assert issue.finding is Finding.OTHER_ADDRESS
    assert issue.suggestion == "jane.doe@gmail.com"


def test_do_not_email_is_said() -> None:
    assert [i.finding for i in BOOK.check("old@example.net")] == [Finding.DO_NOT_EMAIL]


def test_a_typo_once_sent_is_still_compared_with_what_is_verified() -> None:
    book = AddressIndex([KnownAddress("jane.doe@gmail.com", verified=True), KnownAddress("jane.doe@gmial.com")])
    assert [i.suggestion for i in book.check("jane.doe@gmial.com")] == ["jane.doe@gmail.com"]


def test_skeleton_maps_homoglyphs_to_latin() -> None:
    assert skeleton("gmаil.com") == "gmail.com"
    assert skeleton("ΡΑΥΡΑL.com") == "paypal.com"  # Greek capitals


def test_the_confusables_tables_load_only_for_text_that_is_not_ascii() -> None:
    """~30 ms of every ``send`` and ``batch`` start went to tables that only non-ASCII text needs."""
    probe = (
        "import sys\n"
        "from desktop_app.core.lookalike import skeleton\n"
        "assert skeleton('Pat@Example.org') == 'pat@example.org'\n"
        "assert 'confusable_homoglyphs' not in sys.modules, 'loaded for ASCII'\n"
        "assert skeleton('p\\u0430t@example.org') == 'pat@example.org'\n"  # Cyrillic а
        "assert 'confusable_homoglyphs' in sys.modules\n"
    )
    run_fresh(probe)


def test_rapidfuzz_loads_at_the_first_check_not_with_the_index() -> None:
    """The window builds its index on the way to "ready"; only a check measures distances."""
    probe = (
        "import sys\n"
        "from desktop_app.core.lookalike import AddressIndex, KnownAddress\n"
        "index = AddressIndex([KnownAddress('pat@northclinic.org', verified=True)])\n"
        "assert 'rapidfuzz' not in sys.modules, 'loaded with the index'\n"
        "assert [i.suggestion for i in index.check('pat@northclinc.org')] == ['pat@northclinic.org']\n"
        "assert 'rapidfuzz' in sys.modules\n"
    )
    run_fresh(probe)


def test_a_domain_slip_asked_again_for_another_mailbox_suggests_that_mailbox() -> None:
    """The nearest domain is remembered per domain (a mail merge asks once per row): the suggestion
    still carries each row's own part before @."""
    index = AddressIndex([KnownAddress("front.desk@riverside-clinic.org", "Front desk", verified=True),
                          KnownAddress("a@riverside-clinic.net", "Written to before")])  # fmt: skip
    for local in ("ann", "bob", "ann"):
        issues = index.check(f"{local}@riverside-clinc.org")
        assert [(i.finding, i.suggestion) for i in issues] == [(Finding.DOMAIN_TYPO, f"{local}@riverside-clinic.org")]
    assert index.check("b@riverside-clinic.net") == []  # written to before: not a slip
