"""The organisation footer: sanitised once, appended once to both parts, taken off again for editing."""

from __future__ import annotations

from desktop_app.core.addresses import Address
from desktop_app.core.footer import footer_from_setting
from desktop_app.core.message import OutgoingMessage


def test_blank_footers_are_none_and_a_footer_is_sanitised() -> None:
    assert footer_from_setting("") is None
    assert footer_from_setting("<p> </p><script>x()</script>") is None
    footer = footer_from_setting('<p onclick="x()">Confidential</p>')
    assert footer is not None
    assert "onclick" not in footer.html
    assert footer.text == "Confidential"


def test_applied_once_to_both_parts_and_removed_for_editing() -> None:
    footer = footer_from_setting("<p>Confidential</p>")
    assert footer is not None
    message = OutgoingMessage("staff@clinic.example", (Address("pat@example.org"),), "Hi", "<p>Hi</p>", "Hi\n")
    once = footer.apply(message)
    assert footer.apply(once) == once
    assert once.html == "<p>Hi</p><hr><div><p>Confidential</p></div>"
    assert once.text == "Hi\n\n-- \nConfidential"
    assert footer.remove(once).html == "<p>Hi</p>"
    assert footer.remove(once).text == "Hi"
    text_only = footer.apply(OutgoingMessage("staff@clinic.example", (Address("pat@example.org"),), "Hi"))
    assert (text_only.html, text_only.text) == ("", "Confidential")
