"""The everyday-address path (core/addresses.py: ``_plain``) against the full policy it stands in for.

Whatever the quick path accepts, the full policy (the standard parser, then email-validator) must
accept with the very same result; what it declines goes to the full policy unchanged. Checked on
text generated to sit at its edges: hyphens, dots, case, names, lengths, special-use names.
"""

from __future__ import annotations

import string

import email_validator
import pytest
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core import addresses
from desktop_app.core.addresses import AddressError, parse_address, parse_in_full
from tests.helpers.fresh_process import run_fresh

LOCAL_CHARS = string.ascii_letters + string.digits + "._+-!#'"
DOMAIN_CHARS = string.ascii_letters + string.digits + "-."


def _full(raw: str) -> addresses.Address | str:
    try:
        return parse_in_full(raw)
    except AddressError as error:
        return f"refused: {error}"


labels = st.text(DOMAIN_CHARS.replace(".", ""), min_size=1, max_size=12) | st.sampled_from(
    ["xn--bcher-kva", "ab--cd", "a" * 63, "a" * 64, "-a", "a-", "123", "COM", "test", "localhost", "onion"]
)
long_domains = st.tuples(st.integers(1, 5), st.integers(50, 63)).map(lambda n: ".".join(["d" * n[1]] * n[0]) + ".org")
domains = st.lists(labels, min_size=1, max_size=5).map(".".join) | st.text(DOMAIN_CHARS, max_size=30) | long_domains
locals_ = st.text(LOCAL_CHARS, min_size=0, max_size=20) | st.sampled_from(
    ["Info", "POSTMASTER", "a" * 64, "a" * 65, "a.b", ".a", "a.", "a..b", "jane_roe+x"]
)
names = (
    st.sampled_from(["", "Jane", "Jane Roe", "Patient 5", "Jane  Roe", " Jane", "Dr. Roe", "J"])
    | st.text(string.ascii_letters + " .,\"'", max_size=12)
    | st.sampled_from(
        [
            "José Núñez",
            "Zoe\u0308",
            "Nguyễn Văn An",
            "Łukasz",
            "محمد",
            "李小龙",
            "Ⅻ",
            "٣",
            "\uff21\uff4e\uff41",
            "Jane\u202eRoe",
            "Ana\u2066María",
            "Jane_Roe",
            "Jane\u200bRoe",
            "Jane\u00a0Roe",
        ]
    )
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=10)
    | st.lists(st.text(st.characters(categories=["L", "M", "N"]), min_size=1, max_size=6), min_size=1, max_size=3).map(
        " ".join
    )
    | st.lists(st.text("abOBëØ'\u2019-\u2018`\"(.,", min_size=1, max_size=8), min_size=1, max_size=3).map(
        " ".join
    )  # O'Brien, Mary-Jane, and the signs beside them that no quick path may take
)
"""Display names: ASCII, then other scripts (combining marks, numerals, full-width letters), then any text."""


words = st.text(string.ascii_letters + string.digits, min_size=1, max_size=10)
likely = st.tuples(st.lists(words, min_size=1, max_size=3), st.sampled_from(["", "+", "_", "-"]),
                   st.lists(words, min_size=2, max_size=4)).map(
    lambda p: f"{'.'.join(p[0])}{p[1]}x@{'.'.join(p[2][:-1])}.{''.join(c for c in p[2][-1] if c.isalpha()) or 'org'}"
)  # fmt: skip
"""Addresses shaped like real ones, so that the quick path is taken often enough to be tested."""


@st.composite
def candidates(draw: st.DrawFn) -> str:
    address = draw(likely) if draw(st.booleans()) else f"{draw(locals_)}@{draw(domains)}"
    name = draw(names)
    shape = draw(st.sampled_from(["{a}", "{n} <{a}>", "<{a}>", "{n}<{a}>", "{n} <{a}", "{a}>"]))
    return shape.format(a=address, n=name)


@settings(max_examples=3000, deadline=None)
@given(candidates())
def test_what_the_quick_path_accepts_the_full_policy_accepts_identically(raw: str) -> None:
    quick = addresses._plain(raw)
    if quick is not None:
        assert _full(raw) == quick


SIGNS = ["'", "\u2019", "-", '"', "(", ".", ",", "\u2018", "`", "", " "]
joined_names = st.lists(st.tuples(st.text("abOBëØ", max_size=4), st.sampled_from(SIGNS)), min_size=1, max_size=4).map(
    lambda parts: "".join(word + sign for word, sign in parts)
)
"""Names of words joined by signs: an apostrophe or a hyphen (O'Brien, Mary-Jane), and those no quick path takes."""


@settings(max_examples=1500, deadline=None)
@given(joined_names, likely)
def test_names_with_apostrophes_and_hyphens_take_the_quick_path_only_where_the_policy_agrees(
    name: str, address: str
) -> None:
    raw = f"{name} <{address}>"
    quick = addresses._plain(raw)
    if quick is not None:
        assert _full(raw) == quick


@settings(max_examples=1500, deadline=None)
@given(st.text(LOCAL_CHARS + DOMAIN_CHARS + '@<> "(),;:\t\u00e9\u0301\u202e\u2028\uff21\uff20\u0663', max_size=40))
def test_on_any_text_the_quick_path_agrees_or_declines(raw: str) -> None:
    quick = addresses._plain(raw.strip())
    if quick is not None:
        assert _full(raw.strip()) == quick


@pytest.mark.parametrize(
    "raw",
    ["jane.roe@clinic.example.org", "Jane Roe <jane.roe@clinic.example.org>", "INFO@Clinic.Example.ORG",
     "p7+reminders@mail3.example.net", "Patient 12 <patient12@example.org>", "José Q1 <jose.q1@northclinic.org>",
     "Nguyễn Văn An <an.nguyen@clinic.example.org>", "Zoë O'Brien <zoe.obrien@example.org>",
     "Mary-Jane O\u2019Connor-Diaz <mj@clinic.example.org>"],
)  # fmt: skip
def test_everyday_addresses_take_the_quick_path(raw: str) -> None:
    quick = addresses._plain(raw)
    assert quick is not None
    assert parse_address(raw) == quick == _full(raw)


def test_the_copied_lists_match_email_validators() -> None:
    """The quick path leaves special-use names to email-validator and lower-cases what it lower-cases."""
    assert all("." not in name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)
    assert set(email_validator.SPECIAL_USE_DOMAIN_NAMES) <= addresses.SPECIAL_USE_TOP_LABELS
    assert set(CASE_INSENSITIVE_MAILBOX_NAMES) == addresses.CASE_INSENSITIVE_MAILBOXES


def test_a_mail_merge_of_everyday_addresses_never_loads_email_validator() -> None:
    """Its Unicode tables cost ≈ 30 ms to compile: a list of named recipients, in any script, does without."""
    probe = """
import sys
from desktop_app.core.addresses import parse_address
for raw in ["José Q1 <jose.q1@northclinic.org>", "Nguyễn Văn An <an@clinic.example.org>", "jane@clinic.example.org",
            "Zoë O'Brien <zoe@clinic.example.org>", "Mary-Jane Roe <mj@clinic.example.org>"]:
    parse_address(raw)
assert "email_validator" not in sys.modules, "email_validator was loaded"
parse_address('"Roe, Jane" <jane@clinic.example.org>')
assert "email_validator" in sys.modules, "a quoted name went to the full policy"
"""
    run_fresh(probe)
