"""Paubox fidelity (issue #20 items 1, 2, 5): three-state tracking, unsubscribe headers, one attachment limit.

Pure rules and payload builders, no network: the validators for ``List-Unsubscribe``,
``List-Unsubscribe-Post`` and ``unsubscribe_url``, what ``send_payload`` puts on the wire for
each choice, how stored messages (old and new) load, and what makes a mail-merge batch differ.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.api.models import message_payload, send_payload, templated_payload
from desktop_app.core.addresses import AddressError
from desktop_app.core.limits import over_limit_megabytes
from desktop_app.core.message import (
    DEFAULT_ATTACHMENT_LIMIT_BYTES,
    MAX_LIST_UNSUBSCRIBE_LENGTH,
    Attachment,
    MessageError,
    OutgoingMessage,
    check_header_name,
    check_list_unsubscribe_post,
    check_unsubscribe_url,
    list_unsubscribe_uris,
    message_from_dict,
    message_to_dict,
)
from desktop_app.headless import header_switches
from desktop_app.sandbox.config import DEFAULT_ATTACHMENT_LIMIT_MB, SandboxConfig
from desktop_app.services.mailmerge import Body, Switches, batch_identity, plan_batch
from desktop_app.services.outbox import _bulk_capable
from desktop_app.services.profile import Settings
from tests.helpers.messages import make_message

HTTPS = "<https://clinic.example/unsubscribe?u=42>"
MAILTO = "<mailto:unsubscribe@clinic.example?subject=unsubscribe>"


# --------------------------------------------------------------------------- List-Unsubscribe


@pytest.mark.parametrize(
    ("value", "uris"),
    [
        (HTTPS, ("https://clinic.example/unsubscribe?u=42",)),
        (MAILTO, ("mailto:unsubscribe@clinic.example?subject=unsubscribe",)),
        (f"{MAILTO}, {HTTPS}", ("mailto:unsubscribe@clinic.example?subject=unsubscribe",
                                "https://clinic.example/unsubscribe?u=42")),
        (f" {HTTPS},{MAILTO} ", ("https://clinic.example/unsubscribe?u=42",
                                 "mailto:unsubscribe@clinic.example?subject=unsubscribe")),
        ("<HTTPS://Clinic.Example:8443/u/%7Eme>", ("HTTPS://Clinic.Example:8443/u/%7Eme",)),
        ("<https://[2001:db8::1]/u>", ("https://[2001:db8::1]/u",)),
    ],
)  # fmt: skip
def test_list_unsubscribe_accepts_mailto_and_https_entries(value: str, uris: tuple[str, ...]) -> None:
    assert list_unsubscribe_uris(value) == uris


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("<http://clinic.example/u>", "only mailto: and https://"),
        ("<javascript:alert(1)>", "only mailto: and https://"),
        ("<data:text/plain;x>", "only mailto: and https://"),
        ("<ftp://clinic.example/u>", "only mailto: and https://"),
        ("https://clinic.example/u", "angle brackets"),
        ("<https://clinic.example/a b>", "angle brackets"),
        ('<https://clinic.example/"x">', "angle brackets"),
        ("<https://clinic.example/u>;<mailto:a@b.example>", "angle brackets"),
        ("<https://clinic.example/u>, ", "angle brackets"),
        ("<https://user:pw@clinic.example/u>", "no valid host name"),
        ("<https://>", "no valid host name"),
        ("<https://-bad-.example/u>", "no valid host name"),
        ("<mailto:nobody>", "not a valid mailto"),
        ("<mailto:>", "not valid"),
        ("   ", "empty"),
        (", ".join([HTTPS] * 5), "at most 4"),
        ("<https://clinic.example/" + "a" * MAX_LIST_UNSUBSCRIBE_LENGTH + ">", "characters long"),
    ],
)
def test_list_unsubscribe_refuses_other_schemes_and_malformed_lists(value: str, words: str) -> None:
    with pytest.raises(MessageError, match=words):
        list_unsubscribe_uris(value)


@pytest.mark.parametrize("value", [f"{HTTPS}\r\nBcc: spy@evil.example", f"{HTTPS}\n", f"{HTTPS}\x00", f"{HTTPS}\u2028"])
def test_list_unsubscribe_refuses_line_breaks(value: str) -> None:
    with pytest.raises(AddressError, match="line break"):
        list_unsubscribe_uris(value)


def test_one_click_needs_the_exact_value_and_an_https_address() -> None:
    check_list_unsubscribe_post("List-Unsubscribe=One-Click", f"{MAILTO}, {HTTPS}")
    with pytest.raises(MessageError, match="exactly"):
        check_list_unsubscribe_post("List-Unsubscribe=one-click", HTTPS)
    with pytest.raises(MessageError, match="exactly"):
        check_list_unsubscribe_post("List-Unsubscribe=One-Click; x=1", HTTPS)
    with pytest.raises(MessageError, match="needs an <https://"):
        check_list_unsubscribe_post("List-Unsubscribe=One-Click", MAILTO)
    with pytest.raises(MessageError):
        check_list_unsubscribe_post("List-Unsubscribe=One-Click", "")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://clinic.example/u", "must be an https://"),
        ("javascript:alert(1)", "must be an https://"),
        ("https://clinic.example/a b", "space"),
        ("https://clinic.example/<x>", "angle bracket"),
        ("https://clinic.example/u\r\nX: 1", "line break"),
        ("https://" + "a" * 2000 + ".example/", "characters long"),
        ("https://", "no valid host name"),
    ],
)
def test_unsubscribe_url_is_one_bounded_https_url(url: str, words: str) -> None:
    check_unsubscribe_url("https://clinic.example/unsubscribe?u=1")
    with pytest.raises((MessageError, AddressError), match=words):
        check_unsubscribe_url(url)


def test_validate_applies_the_unsubscribe_rules() -> None:
    make_message(
        list_unsubscribe=HTTPS, list_unsubscribe_post=True, unsubscribe_url="https://clinic.example/u"
    ).validate()
    with pytest.raises(MessageError, match="only mailto: and https://"):
        make_message(list_unsubscribe="<http://clinic.example/u>").validate()
    with pytest.raises(MessageError, match="needs an <https://"):
        make_message(list_unsubscribe=MAILTO, list_unsubscribe_post=True).validate()
    with pytest.raises(MessageError, match="needs an <https://"):
        make_message(list_unsubscribe_post=True).validate()
    with pytest.raises(MessageError, match="must be an https://"):
        make_message(unsubscribe_url="http://clinic.example/u").validate()


def test_unsubscribe_headers_are_not_custom_headers() -> None:
    for name in ("List-Unsubscribe", "list-unsubscribe-post"):
        with pytest.raises(MessageError, match="not a custom header"):
            check_header_name(name)
        with pytest.raises(MessageError, match="not a custom header"):
            make_message(custom_headers=((name, HTTPS),)).validate()


# --------------------------------------------------------------------------- the payload


def test_no_tracking_field_unless_chosen() -> None:
    data = send_payload(make_message())["data"]
    assert set(data) == {"message"}
    assert "override_open_tracking" not in json.dumps(data)
    assert send_payload(make_message(open_tracking=True))["data"]["override_open_tracking"] is True
    chosen_off = send_payload(make_message(open_tracking=False, link_tracking=False))["data"]
    assert chosen_off["override_open_tracking"] is False
    assert chosen_off["override_link_tracking"] is False
    assert "override_open_tracking" not in send_payload(make_message(link_tracking=True))["data"]


def test_unsubscribe_headers_and_url_in_the_payload() -> None:
    chosen = make_message(list_unsubscribe=f" {MAILTO}, {HTTPS} ", list_unsubscribe_post=True,
                     unsubscribe_url="https://clinic.example/u", custom_headers=(("X-Ref", "7"),))  # fmt: skip
    payload = send_payload(chosen)["data"]
    headers = payload["message"]["headers"]
    assert headers["List-Unsubscribe"] == f"{MAILTO}, {HTTPS}"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["X-Ref"] == "7"
    assert payload["unsubscribe_url"] == "https://clinic.example/u"
    plain = message_payload(make_message())["headers"]
    assert set(plain) == {"subject", "from"}
    # The one-click header only ever goes with a List-Unsubscribe value.
    assert "List-Unsubscribe-Post" not in message_payload(make_message(list_unsubscribe_post=True))["headers"]


def test_templated_payload_carries_chosen_options_only() -> None:
    assert set(templated_payload("t", "{}", make_message())["data"]) == {"template_name", "template_values", "message"}
    data = templated_payload("t", "{}", make_message(link_tracking=False, unsubscribe_url="https://c.example/u"))[
        "data"
    ]
    assert data["override_link_tracking"] is False
    assert data["unsubscribe_url"] == "https://c.example/u"
    assert "override_open_tracking" not in data


# --------------------------------------------------------------------------- storage


def test_three_state_tracking_and_unsubscribe_round_trip() -> None:
    for open_choice in (None, True, False):
        for link_choice in (None, True, False):
            original = make_message(open_tracking=open_choice, link_tracking=link_choice)
            loaded = message_from_dict(json.loads(json.dumps(message_to_dict(original))))
            assert (loaded.open_tracking, loaded.link_tracking) == (open_choice, link_choice)
    full = make_message(list_unsubscribe=HTTPS, list_unsubscribe_post=True, unsubscribe_url="https://c.example/u")
    assert message_from_dict(message_to_dict(full)) == full


def test_old_stored_payloads_load_with_the_account_default() -> None:
    """Before tracking had three states, false meant "nothing chosen": it loads as None."""
    old = message_to_dict(make_message())
    old.update(open_tracking=False, link_tracking=True)
    loaded = message_from_dict(old)
    assert loaded.open_tracking is None  # not "off": the old composer could not say off
    assert loaded.link_tracking is True
    for key in ("open_tracking", "link_tracking", "list_unsubscribe", "unsubscribe_url"):
        old.pop(key, None)
    assert message_from_dict(old).open_tracking is None
    assert message_from_dict(old).list_unsubscribe == ""


def test_a_message_without_choices_is_stored_exactly_as_before() -> None:
    """Keys an older version did not write appear only when set (batch rows still match)."""
    stored = message_to_dict(make_message())
    assert stored["open_tracking"] is False
    assert stored["link_tracking"] is False
    assert not {"open_tracking_off", "link_tracking_off", "list_unsubscribe", "list_unsubscribe_post",
                "unsubscribe_url"} & set(stored)  # fmt: skip


# --------------------------------------------------------------------------- bulk routing


@pytest.mark.parametrize(
    ("changes", "bulk"),
    [
        ({}, True),
        ({"open_tracking": True}, False),
        ({"open_tracking": False}, False),
        ({"link_tracking": False}, False),
        ({"unsubscribe_url": "https://clinic.example/u"}, False),
        ({"list_unsubscribe": HTTPS, "list_unsubscribe_post": True}, True),  # headers ride in the message
    ],
)
def test_a_message_with_an_explicit_choice_goes_singly(changes: dict[str, object], bulk: bool) -> None:
    stored = SimpleNamespace(message=make_message(**changes))
    assert _bulk_capable(stored) is bulk  # type: ignore[arg-type]


# --------------------------------------------------------------------------- one limit


def test_the_attachment_limit_is_one_figure_everywhere() -> None:
    assert DEFAULT_ATTACHMENT_LIMIT_BYTES == 10 * 1024 * 1024
    assert SandboxConfig().attachment_limit_bytes == DEFAULT_ATTACHMENT_LIMIT_BYTES
    assert DEFAULT_ATTACHMENT_LIMIT_MB * 1024 * 1024 == DEFAULT_ATTACHMENT_LIMIT_BYTES
    assert Settings().attachment_limit_mb * 1024 * 1024 == DEFAULT_ATTACHMENT_LIMIT_BYTES


@given(st.integers(1, 64 * 1024 * 1024), st.integers(1, 64 * 1024 * 1024))
def test_a_size_over_the_limit_never_reads_as_the_limit(size: int, limit: int) -> None:
    shown_size, shown_limit = over_limit_megabytes(size, limit)
    assert shown_size >= size / 1024 / 1024  # MiB are powers of two: these divisions are exact
    assert shown_limit <= limit / 1024 / 1024
    if size > limit:
        assert f"{shown_size:.1f}" != f"{shown_limit:.1f}"


def test_an_attachment_just_over_the_limit_is_refused_in_figures_that_differ() -> None:
    """4 bytes over once encoded: the old wording said "10.0 MB once encoded; the limit is 10.0 MB"."""
    data = b"\0" * (DEFAULT_ATTACHMENT_LIMIT_BYTES // 4 * 3 + 1)
    message = make_message(attachments=(Attachment.from_bytes("scan.pdf", "application/pdf", data),))
    with pytest.raises(MessageError, match=r"Attachments are 10\.1 MB once encoded; the limit is 10\.0 MB\."):
        message.validate()
    make_message(attachments=(Attachment.from_bytes("scan.pdf", "application/pdf", data[:-1]),)).validate()


# --------------------------------------------------------------------------- headless --header and mail merge


def test_header_option_splits_custom_and_unsubscribe_headers() -> None:
    switches = header_switches(
        ["X-Ref: 7", f"List-Unsubscribe: {HTTPS}", "list-unsubscribe-post: List-Unsubscribe=One-Click"]
    )
    assert switches == Switches((("X-Ref", "7"),), HTTPS, True)
    assert header_switches([]) == Switches()


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        (["List-Unsubscribe: <http://clinic.example/u>"], "only mailto: and https://"),
        (["List-Unsubscribe-Post: List-Unsubscribe=One-Click"], "needs an <https://"),
        ([f"List-Unsubscribe: {MAILTO}", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"], "needs an <https://"),
        ([f"List-Unsubscribe: {HTTPS}", "List-Unsubscribe-Post: yes"], "exactly"),
        ([f"List-Unsubscribe: {HTTPS}", f"List-Unsubscribe: {MAILTO}"], "given twice"),
        (["Bcc: spy@evil.example"], "must start with X-"),
    ],
)
def test_header_option_refuses_bad_unsubscribe_headers(headers: list[str], words: str) -> None:
    with pytest.raises(MessageError, match=words):
        header_switches(headers)


CSV = b"to,name\npat@example.org,Pat\njo@example.org,Jo\n"


def _plan(content: bytes = CSV, switches: Switches | None = None, subject: str = "Hi {{name}}"):  # type: ignore[no-untyped-def]
    return plan_batch(content, sender="staff@clinic.example", body=Body(subject=subject, text="Hello"),
                      prepare=lambda m: m, switches=switches)  # fmt: skip


def test_a_different_unsubscribe_makes_a_different_batch() -> None:
    plain = _plan()
    assert plain.batch_id == batch_identity(CSV, sender="staff@clinic.example", body=Body(subject="Hi {{name}}",
                                            text="Hello"))  # fmt: skip
    with_header = _plan(switches=Switches(list_unsubscribe=HTTPS))
    other_header = _plan(switches=Switches(list_unsubscribe="<https://clinic.example/other>"))
    one_click = _plan(switches=Switches(list_unsubscribe=HTTPS, list_unsubscribe_post=True))
    custom = _plan(switches=Switches(custom_headers=(("X-Ref", "1"),)))
    ids = {plain.batch_id, with_header.batch_id, other_header.batch_id, one_click.batch_id, custom.batch_id}
    assert len(ids) == 5
    assert _plan(switches=Switches(list_unsubscribe=HTTPS)).batch_id == with_header.batch_id  # stable
    assert all(m.list_unsubscribe == HTTPS and m.list_unsubscribe_post for _line, m in one_click.rows)


def test_unsubscribe_columns_fill_each_row_and_win_over_the_header() -> None:
    content = (
        b"to,list_unsubscribe,unsubscribe_url\n"
        b"pat@example.org,<https://clinic.example/u/pat>,https://clinic.example/p/pat\n"
        b"jo@example.org,,\n"
    )
    plan = _plan(content, Switches(list_unsubscribe=HTTPS), subject="Hi")
    assert not plan.bad
    (_l1, pat), (_l2, jo) = plan.rows
    assert pat.list_unsubscribe == "<https://clinic.example/u/pat>"
    assert pat.unsubscribe_url == "https://clinic.example/p/pat"
    assert jo.list_unsubscribe == HTTPS
    assert jo.unsubscribe_url == ""
    assert "list_unsubscribe" not in pat.text  # a standard column, not a {{variable}}
    other = _plan(content.replace(b"/u/pat", b"/u/pat2"), Switches(list_unsubscribe=HTTPS), subject="Hi")
    assert other.batch_id != plan.batch_id  # the rows' bytes differ


def test_a_bad_unsubscribe_cell_is_a_bad_row() -> None:
    def prepare(m: OutgoingMessage) -> OutgoingMessage:
        m.validate()
        return m

    content = b"to,list_unsubscribe\npat@example.org,<http://clinic.example/u>\njo@example.org,\n"
    plan = plan_batch(content, sender="staff@clinic.example", body=Body(subject="S", text="T"), prepare=prepare)
    assert [bad.line for bad in plan.bad] == [2]
    assert "only mailto: and https://" in plan.bad[0].reason
    assert len(plan.rows) == 1


# --------------------------------------------------------------------------- property: what is accepted is safe

_PIECES = st.sampled_from(
    ["<", ">", ",", " ", "\r", "\n", "\t", "\x00", "\u2028", "mailto:", "https://", "http://", "javascript:",
     "a@b.example", "clinic.example", "/", "?", "=", "@", ":", '"', "%2C", "x"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join) | st.text(max_size=80))
def test_an_accepted_list_unsubscribe_is_only_mailto_and_https_on_one_line(value: str) -> None:
    try:
        uris = list_unsubscribe_uris(value)
    except (MessageError, AddressError):
        return
    assert 1 <= len(uris) <= 4
    assert len(value.strip()) <= MAX_LIST_UNSUBSCRIBE_LENGTH
    assert not any(c in value for c in "\r\n\x00\u2028\u2029")
    for uri in uris:
        assert uri.lower().startswith(("mailto:", "https://"))
        assert not any(c.isspace() or c in '<>"' for c in uri)
