"""The sanitiser's own tree walker and serialiser against html5lib's, which they replace for speed.

html5lib's etree walker climbs back to a parent with ``list.index``/``list.count`` over its
siblings, which made long bodies quadratic (docs/benchmarks.md, scenario 6). ``sanitize`` walks
and serialises trees itself in linear time; these properties keep html5lib's originals as the
oracle, so the output policy stays exactly what ``test_sanitize_policy`` checks.
"""

from __future__ import annotations

from typing import Any

import pytest
from bleach.html5lib_shim import HTMLParser, HTMLSerializer, getTreeWalker
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.sanitize import (
    KEEPS_NEWLINE_INSIDE,
    NEWLINE_DROPPING,
    _cleaner,
    _LinearTreeWalker,
    _newline_behind_stripped_tags,
    _prune,
    _serialize,
)
from tests.security.hostile_markup import any_text, hostile_markup
from tests.security.tally import count, fuzz

_markup = st.one_of(hostile_markup, any_text)
_ORACLE_WALKER = getTreeWalker("etree")


def _parse(html: str) -> Any:
    return HTMLParser(namespaceHTMLElements=False).parseFragment(html)


@given(_markup)
@fuzz
def test_walker_yields_html5libs_tokens(html: str) -> None:
    """On raw trees (comments, SVG/MathML, void elements) and on the trees bleach builds."""
    for tree in (_parse(html), _cleaner().parser.parseFragment(html)):
        assert list(_LinearTreeWalker(tree)) == list(_ORACLE_WALKER(tree)), html
    count("walker/serialiser equivalence inputs")


def _assert_serialises_like_html5lib(html: str) -> None:
    tree = _parse(html)
    _prune(tree)
    written = _serialize(tree)
    # The one deliberate difference: html5lib's serialiser loses a newline that starts a <pre>'s
    # content (parsing drops one there, except inside td/th/caption), ours writes it twice.
    # Give the oracle that newline.
    parents = {child: parent for parent in tree.iter() for child in parent}
    for element in list(tree.iter()):
        ancestors, node = set(), element
        while node in parents:
            node = parents[node]
            ancestors.add(node.tag)
        if element.tag not in NEWLINE_DROPPING or ancestors & KEEPS_NEWLINE_INSIDE:
            continue
        if (element.text or "").startswith("\n"):
            element.text = "\n" + (element.text or "")
        elif element.tag == "pre" and not element.text and _newline_behind_stripped_tags(element):
            element.text = "\n"  # and where bleach's stripping of the tags in front would make it first
    oracle = HTMLSerializer(quote_attr_values="always", escape_lt_in_attrs=True, omit_optional_tags=False)
    assert written == "".join(oracle.serialize(_ORACLE_WALKER(tree))), html


@given(_markup)
@fuzz
def test_serializer_writes_what_html5lib_writes(html: str) -> None:
    _assert_serialises_like_html5lib(html)


@pytest.mark.parametrize(
    "html",
    [
        "<img ismap=x src='https://a\"b'>",  # boolean attribute minimised; the quote the value lacks
        '<p title="a\'b" lang=\'x"y\' dir="\'&quot;">q</p>',  # both quotes: &quot;
        "<hr noshade><p irrelevant=1 itemscope {x}y=1 a\"b=2 =c=3 d='<&amp;'>",  # odd names, < and & escaped
        "a&amp;b<br>c</br>",
        "<pre>\n\nkept</pre><listing>\nx</listing><pre>one</pre>",  # the newline parsing drops, written back
        "<table><tr><td><pre>\n\nin a cell</pre></td></tr><caption><pre>\nx</pre></caption></table>",  # not here
        "<pre><x>\nbehind a tag bleach strips</x></pre><pre><b>\nbehind one it keeps</b></pre>",
    ],
)
def test_quotes_and_boolean_attributes_serialise_as_html5lib_does(html: str) -> None:
    _assert_serialises_like_html5lib(html)
