"""The sandbox reads everyday addresses without the standard parser: it must read them as parseaddr does."""

from __future__ import annotations

from email.utils import parseaddr

from hypothesis import example, given, settings
from hypothesis import strategies as st

from desktop_app.sandbox.messages import _EVERYDAY, _parsed

read_address = _parsed.__wrapped__  # the function itself, not its cache

# Letters of several scripts, digits, parseaddr's specials, every kind of space and line break,
# combining marks, controls, invisible and bidi characters: what a quick path could mistake.
TRICKY = (
    "aZ09_+-.'!#$%&*/=?^`{|}~"
    '()<>@,:;\\"[]'
    " \t\r\n\x0b\x0c\x1c\x85\xa0\u2003\u2028\u3000"
    "éñüØßЖж日本한국مرحبا\u0301\u200b\u200e\u202e\ufeff\x00\x01\x7f"
)
SPECIALS = '()<>@,:;.\\"[] \t'
local_label = st.text(alphabet="aZ09_+-", min_size=1, max_size=5)
domain_label = st.text(alphabet="aZ09-", min_size=1, max_size=5)
clean_address = st.builds(
    lambda local, domain: f"{'.'.join(local)}@{'.'.join(domain)}",
    st.lists(local_label, min_size=1, max_size=3), st.lists(domain_label, min_size=1, max_size=3),
)  # fmt: skip
clean_word = st.text(alphabet="aZ09éЖ日'!#$%&*/=?^`{|}~-_\u0301\u200b", min_size=1, max_size=6)
gap = st.sampled_from([" ", " ", " ", "  ", "", "\t", "\xa0", "\u3000", "\n"])


@st.composite
def named(draw: st.DrawFn) -> str:
    words = draw(st.lists(clean_word, min_size=1, max_size=4))
    text = words[0] + "".join(draw(gap) + w for w in words[1:])
    return f"{text}{draw(gap)}<{draw(clean_address)}>"


@st.composite
def spoiled(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """An everyday address with one character put in anywhere: often one of parseaddr's specials."""
    text = draw(base)
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.one_of(st.sampled_from(SPECIALS), st.sampled_from(TRICKY))) + text[at:]


everyday = st.one_of(clean_address, clean_address.map(lambda a: f"<{a}>"), named())
shaped = st.one_of(everyday, spoiled(everyday), spoiled(spoiled(everyday)), st.text(alphabet=TRICKY, max_size=30))


@settings(max_examples=3000, deadline=None)
@given(shaped)
@example("José Núñez Q5 <p5@example.org>")
@example("Mary-Jane O'Neil <mary.jane+clinic@mail.example-health.org>")
@example("<a@b.c>")
@example("a@b.c")
@example("a b  <x@y.z>")
@example("Dr. Who <x@y.z>")
@example("a\u00a0b <x@y.z>")
@example('"Q, R" <x@y.z>')
@example("x <a..b@c.d>")
@example("x <.a@c.d>")
@example("x <a@c..d>")
@example("x <a@c.d.>")
@example("x <a@c.d> ")
@example(" x <a@c.d>")
def test_everyday_addresses_read_as_parseaddr_reads_them(text: str) -> None:
    assert read_address(text) == parseaddr(text)


def test_the_everyday_shapes_take_the_quick_path() -> None:
    """The comparison above tests the quick path only if everyday addresses reach it."""
    for text in ("José Núñez Q5 <p5@example.org>", "<a@b.c>", "staff@clinic.example", "李 雷 <li.lei@example.cn>"):
        assert _EVERYDAY.fullmatch(text) is not None, text
