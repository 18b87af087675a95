"""A held-out corpus for the sanitiser's fixed point: written by hand, never used to tune the generators.

``hostile_markup`` generates inputs from tokens; these are whole documents of the kinds that broke
sanitisers elsewhere (mutation XSS, nested quotes, entities in attributes, CDATA, comments,
``<pre>`` variants, SVG/MathML namespaces, ``&`` in URLs), plus every combination of quote and
entity in an attribute value. ``test_sanitize_fixed_point`` asserts that each one is a fixed
point after one pass and that its output meets the policy.
"""

from __future__ import annotations

import itertools

MUTATION_XSS = (
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mtext><table><mglyph><svg><mtext><style><path id="</style><img onerror=alert(1) src>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>',
    '<noframes><img title="</noframes><img src onerror=alert(1)>"></noframes>',
    '<xmp><img title="</xmp><img src onerror=alert(1)>"></xmp>',
    '<iframe><img title="</iframe><img src onerror=alert(1)>"></iframe>',
    '<textarea><img title="</textarea><img src onerror=alert(1)>"></textarea>',
    '<title><img title="</title><img src onerror=alert(1)>"></title>',
    "<template><style></template><img src=x onerror=alert(1)></style>",
    "<select><template><style><!--</style><a rel=--></template><img src=x onerror=alert(1)>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<svg><foreignObject><p>inside</p></foreignObject><p>after</p></svg>",
    '<math><annotation-xml encoding="text/html"><style><img src=x onerror=alert(1)></style></annotation-xml></math>',
    "<math><mi><table><mi><style><img src=x onerror=alert(1)></style></mi></table></mi></math>",
    "<svg><desc><svg><p><style><img src=x onerror=alert(1)>",
    "<table><svg><tr><td><style><img src=x onerror=alert(1)>",
    "<a><table><a><tr><td>x</td></tr></a></table></a>",
    "<p><table><p>nested</p></table></p>",
    "<b><p>misnested</b>text</p>",
    "<ul><li><ul><li>a</ul></li>b</ul>",
    "<img src=x onerror=alert(1)//",
    "<img/src=x/onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#14;javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href="javas\x00cript:alert(1)">x</a>',
    '<a href="%6A%61%76%61script:alert(1)">x</a>',
    "<plaintext><img src=x onerror=alert(1)>",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<div style="background:url(&quot;javascript:alert(1)&quot;)">x</div>',
    '<div style="width:e&#x78;pression(alert(1))">x</div>',
    '<div style="color:red;background:u&#114;l(https://e/t)">x</div>',
)

NESTED_QUOTES = (
    "<p title=\"she said 'no'\">x</p>",
    "<p title='he said \"yes\"'>x</p>",
    '<p title="both \' and &quot;">x</p>',
    "<p title='both &#39; and \"'>x</p>",
    "<p title=`back`>x</p>",
    '<p title="&quot;&quot;&quot;">x</p>',
    "<p title=\"'\">x</p><p title='\"'>y</p>",
    '<p title="a"b">x</p>',
    "<p title='a'b'>x</p>",
    "<p title=a\"b'c>x</p>",
    '<p title="">empty</p>',
    "<span style=\"font-family: 'Times New Roman', &quot;Arial&quot;\">x</span>",
    "<span style='font-family: \"it&#39;s\"'>x</span>",
    '<span style="font-family: &quot;A&amp;B&quot;">x</span>',
    '<span style="color: red&amp;blue">x</span>',
    '<span style="font-family: &quot;&lt;/style&gt;&quot;">x</span>',
)

ENTITIES_IN_ATTRIBUTES = (
    '<a href="https://ok/?a=1&amp;b=&quot;x&quot;">the bug report</a>',
    '<a href="https://ok/?a=1&b=2&copy=3">legacy entity without ;</a>',
    '<a href="https://ok/?a=1&amp;amp;b=2">double-escaped already</a>',
    '<a href="https://ok/?q=&quot;&#39;&lt;&gt;">all of them</a>',
    '<a href="https://ok/?x=&notin;&not;&noti">not, notin</a>',
    '<a href="https://ok/#&#x27;frag&#x27;">frag</a>',
    '<a href="https://ok/?a=&#0;&#xD800;&#1114112;">bad numeric</a>',
    '<a title="&ampamp;&amp&amp;;&;&#;&#x;">odd ampersands</a>',
    "<a href='https://ok/?a=\"1\"&amp;b=2'>quoted in single</a>",
    '<img src="https://ok/i.png?w=1&amp;h=2&quot;" alt="A &amp; B &quot;C&quot;">',
    '<img alt="&lt;script&gt;alert(1)&lt;/script&gt;">',
    '<p title="&#x22;&#34;&quot">x</p>',
    '<p title="&Amp;&AMP;&QUOT;">x</p>',
)

AMPERSANDS_IN_URLS = (
    '<a href="https://clinic.example/portal?patient=1&appointment=2">portal</a>',
    '<a href="https://clinic.example/?a=1&amp;b=2&amp;c=3">three</a>',
    '<a href="mailto:desk@clinic.example?subject=A&amp;body=B%26C">mail</a>',
    '<a href="https://e.example/?q=a&lt;b&gt;c">lt gt</a>',
    "<a href=\"https://e.example/?q=&quot;quoted&quot;&amp;r='single'\">both</a>",
    "<a href=https://e.example/?a=1&b=2>unquoted</a>",
    '<a href="https://e.example/?&&&">runs</a>',
    '<a href="https://e.example/?a=%26&amp;b=%22">percent</a>',
)

CDATA_AND_COMMENTS = (
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<svg><![CDATA[<img src=x onerror=alert(1)>]]></svg>",
    "<math><![CDATA[</math><img src=x onerror=alert(1)>]]>",
    "<!-- <img src=x onerror=alert(1)> -->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<!---><img src=x onerror=alert(1)>-->",
    "<!-- a --!><img src=x onerror=alert(1)>-->",
    "<!-- -- --><p>after</p>",
    "<!--[if IE]><img src=x onerror=alert(1)><![endif]-->",
    "<? xml processing ?><p>x</p>",
    "<!DOCTYPE html><p>doctype</p>",
    "<p>a<!--b-->c</p>",
    "<pre><!--x-->\nafter comment</pre>",
    '<p title="<!--">x</p><p>-->y</p>',
)

PRE_VARIANTS = (
    "<pre>\n\nhi</pre>",
    "<pre>\nhi</pre>",
    "<pre>\n\n\n\n\nmany</pre>",
    "<pre>\r\n\r\nwindows</pre>",
    "<pre>\r\rold mac</pre>",
    "<pre>&#10;&#10;entity newlines</pre>",
    "<pre>&#13;\ncr entity</pre>",
    "<pre><b>\nbold first</b></pre>",
    "<pre><x>\nunknown first</x></pre>",
    "<pre><script>x</script>\nafter script</pre>",
    "<pre><!-- c -->\n\nafter comment</pre>",
    "<pre></pre>\n\nafter empty pre",
    "<pre>\n</pre>",
    "<pre>\n\n</pre>",
    "<pre><pre>\n\ninner</pre></pre>",
    "<PRE>\n\nupper</PRE>",
    "<listing>\n\nlisting</listing>",
    "<textarea>\n\ntextarea</textarea>",
    "<pre>\tx\n  y\n</pre>",
    "<p><pre>\n\nin p</pre></p>",
    "<table><tr><td><pre>\n\nin cell</pre></td></tr></table>",
    '<pre style="white-space: pre">\n\nstyled</pre>',
    "<pre>a<br>\nb</pre>",
    "<svg><pre>\n\nbreaks out of svg</pre></svg>",
    "<code><pre>\n\ninside code</pre></code>",
)

NAMESPACES = (
    '<svg><a href="javascript:alert(1)">x</a></svg>',
    '<svg xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)">x</a></svg>',
    "<svg><animate attributeName=href values=javascript:alert(1) /><a><text>x</text></a></svg>",
    "<svg><set attributeName=onmouseover to=alert(1) /></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' onload='alert(1)'/>#x\"/></svg>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    '<math href="javascript:alert(1)">click</math>',
    "<svg><title><p>title in svg</p></title></svg>",
    "<svg><font color=red>font breaks out</font></svg>",
    "<math><mtext><p>html in mtext</p></mtext></math>",
    "<svg><b>b breaks out</b></svg>",
    "<svg><![CDATA[x]]><p>after</p></svg>",
    '<p xmlns="http://www.w3.org/2000/svg">xmlns attr</p>',
    '<html:p xmlns:html="http://www.w3.org/1999/xhtml">prefixed</html:p>',
)

TEXT_AND_ENTITIES = (
    "a & b &amp; c &amp;amp; d",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&notin; &not &noti; &#x26; &#38;",
    "5 < 6 > 4",
    "<p>&nbsp;&#160;\xa0</p>",
    "\ufeffBOM at start",
    "\u202e reversed \u202c",
    "tab\there",
)


def _attribute_combinations() -> tuple[str, ...]:
    """Every pairing of a quote style with values mixing both quotes, ``&`` and entities."""
    pieces = ("'", '"', "&amp;", "&", "&quot;", "&#39;", "&lt;", "x")
    values = {"".join(combo) for combo in itertools.product(pieces, repeat=2)} | {"".join(pieces)}
    out = []
    for value in sorted(values):
        for quote in ('"', "'"):
            if quote in value:
                continue  # would end the value early: covered by NESTED_QUOTES
            out.append(f"<a href={quote}https://ok/?v={value}{quote} title={quote}{value}{quote}>v</a>")
    return tuple(out)


CORPUS: tuple[str, ...] = (
    MUTATION_XSS + NESTED_QUOTES + ENTITIES_IN_ATTRIBUTES + AMPERSANDS_IN_URLS + CDATA_AND_COMMENTS
    + PRE_VARIANTS + NAMESPACES + TEXT_AND_ENTITIES + _attribute_combinations()
)  # fmt: skip
