from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.addresses import (
    MAX_RECIPIENTS,
    AddressError,
    check_recipient_count,
    parse_address,
    parse_address_field,
    split_address_field,
)


def test_display_names_with_commas_and_quotes_stay_one_address() -> None:
    parts = split_address_field('"Doe, Jane" <jane@clinic.example>; bob@clinic.example')
    assert parts == ['"Doe, Jane" <jane@clinic.example>', "bob@clinic.example"]
    jane = parse_address(parts[0])
    assert (jane.display_name, jane.email) == ("Doe, Jane", "jane@clinic.example")
    assert jane.formatted() == '"Doe, Jane" <jane@clinic.example>'


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("jane@clinic.example\r\nBcc: evil@x.example", "line break"),
        ("jane\x00@clinic.example", "line break or NUL"),
        ("jane＠clinic.example", "full-width"),
        ("not-an-address", "not a valid address"),
        ("jane@", "not a single email address"),
        ("", "empty"),
    ],
)
def test_bad_addresses_are_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(AddressError, match=why):
        parse_address(text)


def test_a_field_reports_every_bad_address_and_keeps_the_good_ones() -> None:
    result = parse_address_field("a@clinic.example, nope, b@clinic.example, also nope")
    assert [a.email for a in result.addresses] == ["a@clinic.example", "b@clinic.example"]
    assert len(result.errors) == 2
    assert "“nope”" in result.errors[0]


def test_recipient_limits() -> None:
    check_recipient_count(MAX_RECIPIENTS)
    with pytest.raises(AddressError, match="at least one"):
        check_recipient_count(0)
    with pytest.raises(AddressError, match="more than Paubox accepts"):
        check_recipient_count(MAX_RECIPIENTS + 1)


def test_a_memoised_parse_equals_a_fresh_one_and_a_refusal_is_raised_every_time() -> None:
    from desktop_app.core import addresses

    text = '"Doe, Jane" <Jane@Clinic.example>'
    first = parse_address(text)
    again = parse_address(text)
    assert again == first == addresses._parse_uncached(text)
    assert addresses._parse_outcome.cache_info().hits >= 1
    with pytest.raises(AttributeError):
        again.email = "other@example.org"  # type: ignore[misc]  # frozen: a shared result cannot change
    bad = "jane@@clinic.example"
    errors = []
    for _ in range(3):
        with pytest.raises(AddressError) as caught:
            parse_address(bad)
        errors.append(caught.value)
    assert len({id(error) for error in errors}) == 3
    with pytest.raises(AddressError) as fresh:
        addresses._parse_uncached(bad)
    assert {str(error) for error in errors} == {str(fresh.value)}


def test_a_domain_is_checked_once_for_many_addresses_with_the_same_outcomes() -> None:
    """A mail merge's 50,000 addresses at a few domains: email-validator's domain check is remembered
    (the full policy's; everyday addresses like these usually take the quick path, test_addresses_plain.py)."""
    import importlib

    from email_validator import EmailNotValidError
    from email_validator.syntax import validate_email_domain_name as unmemoised

    from desktop_app.core import addresses

    checked = addresses._validator()
    domains = importlib.import_module("email_validator.validate_email").validate_email_domain_name
    assert domains is not unmemoised
    assert domains.memoised
    before = domains.cache_info()
    parsed = [addresses.parse_in_full(f"Pat {n} <pat{n}@Clinic-{n % 3}.Example>") for n in range(30)]
    after = domains.cache_info()
    assert after.misses - before.misses <= 3
    assert after.hits - before.hits >= 27
    for n, address in enumerate(parsed):
        fresh = checked(f"pat{n}@Clinic-{n % 3}.Example", check_deliverability=False, allow_quoted_local=True)
        assert address.email == fresh.normalized == f"pat{n}@clinic-{n % 3}.example"
        assert unmemoised(f"Clinic-{n % 3}.Example") == domains(f"Clinic-{n % 3}.Example")
    for bad in ("jane@clinic..example", "jane@-clinic.example", "jane@clinic_x.example"):
        words = set()
        for _ in range(3):
            with pytest.raises(AddressError) as caught:
                addresses.parse_in_full(bad)
            words.add(str(caught.value))
        with pytest.raises(EmailNotValidError) as fresh_error:
            unmemoised(bad.partition("@")[2])
        assert len(words) == 1
        assert str(fresh_error.value) in words.pop()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab @."<>,;\n\\ \t')), max_size=40))
def test_a_field_without_separators_splits_as_the_full_scan_does(text: str) -> None:
    from desktop_app.core import addresses

    assert split_address_field(text) == addresses._split_at_separators(text)
