"""The organisation's footer (e.g. a confidentiality notice) every message of a profile carries.

It is sanitised once (like a body) and appended where a message is prepared for the outbox
(``Runtime.prepare`` for single sends, ``Runtime.start_batch``/``queue_batch`` for mail merge), so
the GUI, ``sealpost send`` and ``sealpost batch`` all send it, and a batch row costs two string
joins instead of another sanitising pass. Both parts get it: the HTML part (when the message has
one) and the plain-text part. Appending is idempotent, and :meth:`Footer.remove` takes it off a
message brought back for editing so it is not sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from desktop_app.core.message import OutgoingMessage

HTML_SEPARATOR = "<hr>"
TEXT_SEPARATOR = "\n\n-- \n"
"""The plain-text footer follows the usual signature separator line (``-- ``)."""


@dataclass(frozen=True)
class Footer:
    """A sanitised footer: ``html`` for the HTML part, ``text`` for the plain-text part."""

    html: str
    text: str

    @property
    def html_suffix(self) -> str:
        return f"{HTML_SEPARATOR}<div>{self.html}</div>"

    @property
    def text_suffix(self) -> str:
        return f"{TEXT_SEPARATOR}{self.text}"

    def apply_parts(self, html: str, text: str) -> tuple[str, str]:
        """``html`` (sanitised) and ``text`` with the footer appended once (an empty HTML part stays empty)."""
        if html and not html.endswith(self.html_suffix):
            html += self.html_suffix
        if not text.endswith(self.text_suffix):
            text = text.rstrip("\n") + self.text_suffix if text.strip() else self.text
        return html, text

    def apply(self, message: OutgoingMessage) -> OutgoingMessage:
        """``message`` (prepared: HTML sanitised, plain text present) with the footer appended."""
        html, text = self.apply_parts(message.html, message.text)
        return replace(message, html=html, text=text)

    def remove(self, message: OutgoingMessage) -> OutgoingMessage:
        """``message`` without the footer this profile appended (for editing it again)."""
        html = message.html.removesuffix(self.html_suffix)
        text = message.text
        if text == self.text:
            text = ""
        text = text.removesuffix(self.text_suffix)
        return replace(message, html=html, text=text)


@lru_cache(maxsize=4)
def footer_from_setting(source: str) -> Footer | None:
    """The footer a ``message_footer`` setting (HTML) describes, sanitised; None when it is blank.

    Cached: the setting rarely changes, and a batch asks once, not per row.
    """
    if not source.strip():
        return None
    from desktop_app.core.sanitize import html_to_text, sanitize_html  # not loaded for a profile without one

    html = sanitize_html(source)
    text = html_to_text(html).strip()
    if not text:
        return None
    return Footer(html, text)
