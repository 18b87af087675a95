"""The address and header acceptance policy (docs/security.md §3), case by case.

Each row is an input a user can type or paste, and either the mailbox Sealpost sends to or the
words of the refusal. Non-ASCII test characters are written as escapes so the source stays plain.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.addresses import (
    MAX_RECIPIENTS,
    Address,
    AddressError,
    check_header_value,
    parse_address,
    parse_address_field,
    split_address_field,
)
from desktop_app.core.message import MessageError
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.runtime import Runtime
from tests.helpers.messages import make_message
from tests.security.tally import count, fuzz

ACCEPTED: list[tuple[str, str, str]] = [
    # (typed, normalised address, display name)
    ("jane@clinic.example", "jane@clinic.example", ""),
    ("<jane@clinic.example>", "jane@clinic.example", ""),
    ("Jane Doe <jane@clinic.example>", "jane@clinic.example", "Jane Doe"),
    ('"Doe, Jane" <jane@clinic.example>', "jane@clinic.example", "Doe, Jane"),
    ('"Jane \\"JD\\" Doe" <jane@clinic.example>', "jane@clinic.example", 'Jane "JD" Doe'),
    ('"Doe (clinic)" <jane@clinic.example>', "jane@clinic.example", "Doe (clinic)"),
    ('"john doe"@clinic.example', '"john doe"@clinic.example', ""),
    ('"john..doe"@clinic.example', '"john..doe"@clinic.example', ""),
    ("j\u00f6rg@b\u00fccher.example", "j\u00f6rg@b\u00fccher.example", ""),
    ("jane@xn--bcher-kva.example", "jane@b\u00fccher.example", ""),
    ("\u5c71\u7530 <yamada@clinic.example>", "yamada@clinic.example", "\u5c71\u7530"),
    ("\uff21\uff22\uff23 Clinic <desk@clinic.example>", "desk@clinic.example", "\uff21\uff22\uff23 Clinic"),
    ("\u05d3\u05e0\u05d4 <dana@clinic.example>", "dana@clinic.example", "\u05d3\u05e0\u05d4"),
    ("Jane\t<jane@clinic.example>", "jane@clinic.example", "Jane"),
    ("jane@CLINIC.Example", "jane@clinic.example", ""),
    ("mailto:jane@clinic.example", "jane@clinic.example", ""),
    ("=?utf-8?q?Boss?= <jane@clinic.example>", "jane@clinic.example", "Boss"),
    ("=?utf-8?b?5bGx55Sw?= <yamada@clinic.example>", "yamada@clinic.example", "\u5c71\u7530"),
    ("x" * 64 + "@clinic.example", "x" * 64 + "@clinic.example", ""),
]

REFUSED: list[tuple[str, str]] = [
    # (typed, words the refusal must contain)
    ("", "empty"),
    ("jane\uff20clinic.example", "full-width \uff20"),
    ("\uff4a\uff41\uff4e\uff45@clinic.example", "full-width letters"),
    ("Doe", "has no @. A name with a comma must be in quotes"),
    ("Doe, Jane <jane@clinic.example>", "not a single email address"),
    ("jane(comment)@clinic.example", "comment in parentheses"),
    ("jane@clinic.example (Jane Doe)", "comment in parentheses"),
    ("(c)jane@clinic.example", "comment in parentheses"),
    ("jane@[192.168.1.1]", "bracketed IP address"),
    ("jane@[IPv6:::1]", "bracketed IP address"),
    ("jane@127.0.0.1", "not a valid address"),
    ("jane@localhost", "not a valid address"),
    ("a@b@clinic.example", "not a single email address"),
    ("jane.@clinic.example", "period immediately before the @-sign"),
    ("x" * 65 + "@clinic.example", "too long before the @-sign"),
    ("jane@" + "a" * 250 + ".example", "too long after the @-sign"),
    ("jane\u200b@clinic.example", "unsafe characters"),
    ('"Jane <boss@evil.example>" <jane@clinic.example>', "contains \u201c<\u201d or \u201c>\u201d"),
    ("Jane\u202eelpmaxe <jane@clinic.example>", "text-direction"),
    ("Jane\u2067 <jane@clinic.example>", "text-direction"),
    ("=?utf-8?b?SmFuZeKArg==?= <jane@clinic.example>", "text-direction"),
    ("=?utf-8?q?Jane=0D=0ABcc=3A_spy=40evil.example?= <jane@clinic.example>", "line break"),
    ("=?utf-8?q?=3Cboss=40evil.example=3E?= <jane@clinic.example>", "contains \u201c<\u201d or \u201c>\u201d"),
    ("=?x-unknown?q?Boss?= <jane@clinic.example>", "cannot be read"),
    ('"unclosed <jane@clinic.example>', "never closed"),
    ("Jane <jane@clinic.example", "no closing"),
    ("Jane <jane@clinic.example> extra", "not a single email address"),
    ("jane@clinic.example, bob@clinic.example", "not a single email address"),
    ("jane@clinic.example\r\nBcc: spy@evil.example", "line break"),
    ("jane@clinic.example\nBcc: spy@evil.example", "line break"),
    ("jane@clinic.example\rBcc: spy@evil.example", "line break"),
    ("jane\x00@clinic.example", "line break or NUL"),
    ('"Jane\r\nBcc: spy@evil.example" <jane@clinic.example>', "line break"),
    ("Jane\x85 <jane@clinic.example>", "line break"),
    ("Jane\u2028 <jane@clinic.example>", "line break"),
    ("Jane\x0b <jane@clinic.example>", "line break"),
    ("Jane\x1b[31m <jane@clinic.example>", "control character"),
]


@pytest.mark.parametrize(("typed", "email", "name"), ACCEPTED)
def test_accepted(typed: str, email: str, name: str) -> None:
    count("address policy cases")
    assert parse_address(typed) == Address(email, name)


@pytest.mark.parametrize(("typed", "why"), REFUSED)
def test_refused_with_the_reason(typed: str, why: str) -> None:
    count("address policy cases")
    with pytest.raises(AddressError) as refused:
        parse_address(typed)
    assert why in str(refused.value)


@pytest.mark.parametrize("typed", [typed for typed, _ in REFUSED if typed])
def test_refusals_quote_the_input_without_its_control_characters(typed: str) -> None:
    """An error message is shown and may be logged: the quoted input must not break or reorder its line."""
    with pytest.raises(AddressError) as refused:
        parse_address(typed)
    message = str(refused.value)
    assert not any(c in message for c in "\r\n\x00\x0b\x1b\x85\u2028\u202e\u2067")


def test_a_field_splits_on_commas_and_semicolons_but_not_inside_quotes_or_brackets() -> None:
    typed = '"Doe; Jane" <j@clinic.example>; "x\\"y, z" <k@clinic.example>, Doe, John <d@clinic.example>'
    assert split_address_field(typed) == [
        '"Doe; Jane" <j@clinic.example>',
        '"x\\"y, z" <k@clinic.example>',
        "Doe",
        "John <d@clinic.example>",
    ]
    result = parse_address_field(typed)
    assert [a.email for a in result.addresses] == ["j@clinic.example", "k@clinic.example", "d@clinic.example"]
    assert len(result.errors) == 1
    assert "must be in quotes" in result.errors[0]


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"subject": "Results\r\nBcc: spy@evil.example"}, "subject contains a line break"),
        ({"subject": "Results\x00"}, "subject contains a line break or NUL"),
        ({"sender": "staff@clinic.example\nBcc: spy@evil.example"}, "sender address contains a line break"),
        ({"custom_headers": (("X-Ref", "1\r\nBcc: spy@evil.example"),)}, "value of X-Ref contains a line break"),
        ({"custom_headers": (("X-Ref\n", "1"),)}, "contains a line break"),
        ({"custom_headers": (("Bcc", "spy@evil.example"),)}, "must start with X-"),
        ({"to": (Address("pat@example.org", "Pat\r\nBcc: spy@evil.example"),)}, "address contains a line break"),
        ({"to": tuple(Address(f"p{n}@example.org") for n in range(MAX_RECIPIENTS + 1))}, "more than Paubox accepts"),
        ({"to": (Address("not-an-address"),)}, "not a valid address"),
        ({"cc": (Address("jane@clinic..example", "Jane"),)}, "not a valid address"),
        ({"to": (), "cc": (Address("pat@example.org"),) * 51, "bcc": (Address("x@example.org"),) * 50}, "101"),
        ({"to": ()}, "at least one recipient"),
    ],
)
def test_message_headers_refuse_injection_and_too_many_recipients(fields: dict[str, object], why: str) -> None:
    count("address policy cases")
    with pytest.raises((AddressError, MessageError)) as refused:
        make_message(**fields).validate()
    assert why in str(refused.value)


def test_exactly_100_recipients_across_to_cc_bcc_is_accepted() -> None:
    to = tuple(Address(f"t{n}@example.org") for n in range(40))
    cc = tuple(Address(f"c{n}@example.org") for n in range(30))
    bcc = tuple(Address(f"b{n}@example.org") for n in range(30))
    make_message(to=to, cc=cc, bcc=bcc).validate()


def test_refused_messages_are_never_stored(runtime: Runtime) -> None:
    """The check happens before the outbox: nothing to retry, nothing in the database."""
    too_many = tuple(Address(f"p{n}@example.org") for n in range(MAX_RECIPIENTS + 1))
    for bad in (make_message(to=too_many), make_message(subject="Hi\r\nBcc: spy@evil.example")):
        with pytest.raises((AddressError, MessageError)):
            runtime.queue(bad)
    assert runtime.store is not None
    assert runtime.store.counts_by_state().get(OutboxState.QUEUED, 0) == 0


_typed_addresses = st.one_of(
    st.text(max_size=80),
    st.emails(),
    st.builds(lambda name, email: f"{name} <{email}>", st.text(max_size=20), st.emails()),
    st.builds(lambda name, email: f'"{name}" <{email}>', st.text(max_size=20), st.emails()),
)


@given(_typed_addresses)
@fuzz
def test_any_text_is_either_a_clean_address_or_a_clear_refusal(typed: str) -> None:
    count("address fuzz inputs")
    try:
        address = parse_address(typed)
    except AddressError as error:
        refusal = str(error)
        assert refusal.strip(), "a refusal must say why"
        return
    check_header_value(address.formatted(), "formatted")  # what goes on the wire is header-safe
    assert parse_address(address.formatted()) == address  # and reads back as the same mailbox
