"""Mail merge rendering: a body sanitised once per batch, values as escaped text, rows checked once."""

from __future__ import annotations

import html
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop_app.core.addresses import Address
from desktop_app.core.message import MessageError, OutgoingMessage
from desktop_app.core.sanitize import html_to_text, sanitize_html
from desktop_app.services import mailmerge
from desktop_app.services.mailmerge import Body, HtmlTemplate, MergedRows, batch_identity, plan_batch, render_sanitised
from tests.security.hostile_markup import any_text, hostile_markup

SENDER = "staff@clinic.example"
LETTER = (
    '<p style="color: #333">Dear {{name}},</p><p>Your visit at <b>{{clinic}}</b>: {{note}}</p>'
    '<table><tr><td>{{clinic}}</td></tr></table><script>track("{{name}}")</script>'
)
HOSTILE_VALUES = ("<b>x</b>", "<img src=x onerror=alert(1)>", "</p><script>alert(1)</script>", "a & b &amp; <c>")


def csv_bytes(*rows: tuple[str, str, str]) -> bytes:
    lines = ["to,subject,name,clinic,note"]
    for to, name, note in rows:
        quoted = '"' + name.replace('"', '""') + '"'
        note_q = '"' + note.replace('"', '""') + '"'
        lines.append(f"{to},Visit for {{{{name}}}},{quoted},North,{note_q}")
    return ("\n".join(lines) + "\n").encode()


def plan(content: bytes, body: Body, validate: object = None) -> mailmerge.MergePlan:
    return plan_batch(content, sender=SENDER, body=body, validate=(validate or (lambda m: m.validate())))  # type: ignore[arg-type]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_markup_in_a_cell_arrives_as_visible_text_in_both_parts(value: str) -> None:
    merged = plan(csv_bytes(("p@example.org", value, value)), Body(html=LETTER))
    assert not merged.bad
    [(_, message)] = list(merged.rows)
    assert html.escape(value, quote=False) in message.html  # escaped: shown, never parsed as markup
    assert "<img" not in message.html
    assert "<script" not in message.html
    assert sanitize_html(message.html) == message.html
    assert f"Dear {value}," in message.text  # the plain-text part shows the characters themselves
    assert message.subject == f"Visit for {value}"  # the subject is plain text: nothing escaped


def test_a_text_body_takes_values_as_they_are() -> None:
    merged = plan(csv_bytes(("p@example.org", "<b>Ann</b>", "x")), Body(text="Dear {{name}}, see you at {{clinic}}."))
    [(_, message)] = list(merged.rows)
    assert message.text == "Dear <b>Ann</b>, see you at North."
    assert message.html == ""


def test_the_html_template_is_sanitised_once_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(text: str) -> str:
        calls.append(text)
        return sanitize_html(text)

    monkeypatch.setattr(mailmerge, "sanitize_html", counting)
    rows = [(f"p{n}@example.org", f"Patient {n}", f"<i>note {n}</i>") for n in range(200)]
    merged = plan(csv_bytes(*rows), Body(html=LETTER))
    messages = list(merged.rows)
    assert len(messages) == 200
    # The template with its markers, once; and each probe row that checks the fast path is exact.
    assert len(calls) == 1 + len(mailmerge.PROBE_VALUES)
    assert all(sanitize_html(m.html) == m.html for _, m in messages)


def test_fast_path_equals_sanitising_each_rendered_row() -> None:
    template = HtmlTemplate(LETTER)
    assert template.fast
    for value in (*HOSTILE_VALUES, "Ann", "", "  spaced  ", "tab\there", "multi\nline", "😀 é \xa0"):
        variables = {"name": value, "clinic": value, "note": value}
        assert template.fill(variables) == render_sanitised(LETTER, variables)


@pytest.mark.parametrize(
    "source",
    [
        '<a href="https://portal.example/{{ref}}">portal</a>',  # a field in an attribute: always the slow way
        "<table>{{ref}}<tr><td>x</td></tr></table>",  # text a parser moves out of the table, unless blank
        "<pre>{{ref}}</pre>",  # a leading newline is special in <pre>
        "<ul>{{ref}}<li>x</li></ul>",
    ],
)
def test_fields_outside_plain_text_render_as_sanitising_each_row_would(source: str) -> None:
    template = HtmlTemplate(source)
    assert not template.fast or "href" not in source
    for value in (*HOSTILE_VALUES, "R-1", "\nx", " ", "\n", "", "\t \n"):
        filled = template.fill({"ref": value})
        assert filled == render_sanitised(source, {"ref": value})
        assert sanitize_html(filled) == filled


def test_a_value_with_characters_the_sanitiser_rewrites_is_rendered_the_slow_way() -> None:
    template = HtmlTemplate("<p>{{v}}</p>")
    assert template.fast
    for value in ("a\r\nb", "nul\x00", "bell\x07", "line\u2028sep"):
        assert template.fill({"v": value}) == render_sanitised("<p>{{v}}</p>", {"v": value})


def test_the_plain_text_part_is_derived_once_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(text: str) -> str:
        calls.append(text)
        return html_to_text(text)

    monkeypatch.setattr(mailmerge, "html_to_text", counting)
    rows = [(f"p{n}@example.org", f"Patient {n}", f"<i>note {n}</i> & more") for n in range(50)]
    messages = list(plan(csv_bytes(*rows), Body(html=LETTER)).rows)
    # The template with its markers, and each probe value: never a row's own letter.
    assert len(calls) == 1 + len(mailmerge.TEXT_PROBE_VALUES)
    for _, message in messages:
        assert message.text == html_to_text(message.html)
    assert "Dear Patient 7," in messages[7][1].text


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ('<p><a href="https://portal.example/">{{v}}</a></p>', "https://portal.example/"),  # text compared with href
        ("<p>{{v}}</p><p>next</p>", ""),  # an empty line merges with its neighbours
        ("<p>{{v}}</p>", "  padded  "),  # lines are stripped
        ("<p>Dear {{v}},</p>", "two\nlines"),
        ("<p>{{v}}</p>", "\xa0edge"),
        ("<style>p {}</style><p>{{v}}</p>", "x"),
    ],
)
def test_plain_text_the_template_cannot_derive_is_derived_from_the_row(source: str, value: str) -> None:
    template = HtmlTemplate(source)
    filled = template.fill({"v": value})
    assert template.text({"v": value}, filled) == html_to_text(filled)


def test_a_field_without_a_column_is_a_bad_row_in_the_same_words() -> None:
    merged = plan(csv_bytes(("p@example.org", "Ann", "x")), Body(html="<p>{{missing}}</p>"))
    assert [b.reason for b in merged.bad] == ["the field {{missing}} has no column in the file"]


def test_each_row_is_validated_once_and_rows_are_rendered_when_read() -> None:
    checked: list[OutgoingMessage] = []
    rows = [(f"p{n}@example.org", f"Patient {n}", "x") for n in range(5)]
    merged = plan(csv_bytes(*rows), Body(html=LETTER), validate=checked.append)
    assert len(checked) == 5
    assert isinstance(merged.rows, MergedRows)
    assert len(merged.rows) == 5
    first = merged.rows[0][1]
    assert merged.rows[:2][0][1] == first
    assert first.to == (Address("p0@example.org"),)
    assert first.text == html_to_text(first.html)  # the plain-text part is derived when the row is read


def test_the_guard_reads_heads_and_a_subset_keeps_whole_letters() -> None:
    """What the send guard reads of each row (recipients, subject; the text only when a rule reads
    the body), and the rows it lets through: still the whole letter when they are queued."""
    rows = [(f"p{n}@example.org", f"Patient {n}", "x") for n in range(4)]
    merged = plan(csv_bytes(*rows), Body(html=LETTER))
    assert isinstance(merged.rows, MergedRows)
    full = list(merged.rows)
    heads = list(merged.rows.heads(with_text=False))
    assert [(line, m.to, m.subject) for line, m in heads] == [(line, m.to, m.subject) for line, m in full]
    assert all(not m.html and not m.text for _, m in heads)
    assert [m.text for _, m in merged.rows.heads(with_text=True)] == [m.text for _, m in full]
    # Values the template cannot place in the text (a line break, edge spaces) are judged as sent too.
    odd = plan(csv_bytes(("p@example.org", "two\nlines", " x "), ("q@example.org", "Ann", "")), Body(html=LETTER))
    assert [m.text for _, m in odd.rows.heads(with_text=True)] == [m.text for _, m in odd.rows]
    kept = merged.rows.only([3, 1])
    assert list(kept) == [full[3], full[1]]
    assert "Patient 3" in kept[0][1].html


def test_the_batch_id_hashes_inputs_not_rendered_output() -> None:
    content = csv_bytes(("p@example.org", "<b>Ann</b>", "x"))
    merged = plan(content, Body(html=LETTER))
    assert merged.batch_id == batch_identity(content, sender=SENDER, body=Body(html=LETTER))
    assert merged.batch_id == plan(content, Body(html=LETTER)).batch_id
    assert merged.batch_id != plan(content, Body(html=LETTER + "<p>PS</p>")).batch_id


def test_a_bad_address_is_reported_by_line() -> None:
    merged = plan(csv_bytes(("p@example.org", "A", "x"), ("not an address", "B", "x")), Body(html=LETTER))
    assert [b.line for b in merged.bad] == [3]
    assert len(merged.rows) == 1


# The property the fast path must keep: whatever the template and the values, a row's HTML is
# exactly what the sanitiser allows (sanitising it again changes nothing), and where the fast path
# was taken it equals sanitising the rendered body.
_field = st.sampled_from(["{{a}}", "{{ b }}", "{{a}}{{b}}", " {{b}} "])
_templates = st.lists(st.one_of(hostile_markup, _field, st.sampled_from(["<p>", "</p>", "<td>", "<b>", "</b>"])),
                      min_size=1, max_size=8).map("".join)  # fmt: skip
EXAMPLES = int(os.environ.get("MERGE_EXAMPLES", "300"))
_values = st.one_of(any_text, hostile_markup, st.sampled_from(HOSTILE_VALUES))


@settings(
    max_examples=int(os.environ.get("MERGE_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(source=_templates, a=_values, b=_values)
@example(source="<p><b><p>{{a}}", a="", b="")  # an empty value: no <b> is reconstructed around it
@example(source="<!>&#x7f;", a="", b="")  # a control character by reference after a dropped comment
@example(source="<!>&#x7f;", a="", b="")  # a control character by reference after a dropped comment
def test_sanitising_a_filled_row_changes_nothing(source: str, a: str, b: str) -> None:
    try:
        template = HtmlTemplate(source)
    except MessageError:  # nested too deeply or too large: refused for a single send too
        return
    variables = {"a": a, "b": b}
    filled = template.fill(variables)
    assert sanitize_html(filled) == filled
    if template.fast:
        assert filled == render_sanitised(source, variables)
    assert template.text(variables, filled) == html_to_text(filled)  # however the plain text was derived


def _rows(count: int) -> Iterator[tuple[str, str, str]]:
    for n in range(count):
        yield f"p{n}@example.org", f"Patient {n}", "ok"


def test_a_templated_batch_keeps_its_variables_unescaped() -> None:
    merged = plan(csv_bytes(*_rows(2)), Body(template="visit"), validate=lambda m: m.validate(require_body=False))
    [(_, first), _second] = list(merged.rows)
    assert first.meta[mailmerge.TEMPLATE] == "visit"
    assert '"name": "Patient 0"' in first.meta[mailmerge.TEMPLATE_VALUES]
