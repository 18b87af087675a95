"""Messages made from sent ones, and the timeline in the user's words."""

from __future__ import annotations

from desktop_app.core.addresses import Address
from desktop_app.core.message import Attachment, OutgoingMessage
from desktop_app.services.drafts import as_new, attachment_size, forwarded, is_bounced, timeline_words


def test_forward_drops_the_recipients_and_prefixes_the_subject_once() -> None:
    message = OutgoingMessage(sender="staff@clinic.example", to=(Address("pat@example.org"),), subject="Results",
                              cc=(Address("dr@example.org"),), text="Hi", meta={"batch_row": "3"})  # fmt: skip
    forward = forwarded(message)
    assert (forward.to, forward.cc, forward.bcc, forward.subject, forward.text) == ((), (), (), "Fwd: Results", "Hi")
    assert forwarded(forward).subject == "Fwd: Results"
    assert as_new(message).meta == {}  # a batch's bookkeeping does not follow into a new message
    assert as_new(message).to == message.to


def test_timeline_never_shows_internal_words() -> None:
    assert timeline_words("scheduled", "sent from draft") == "Send pressed (waiting out the undo time)"
    assert timeline_words("accepted", "marked sent by user") == "Marked as sent by you"
    assert timeline_words("sending", "attempt 2") == "Sending (attempt 2)"
    assert timeline_words("hard bounced", "sam@old-isp.example") == "Hard bounced: sam@old-isp.example"
    assert timeline_words("delivered", "pat@example.org") == "Delivered: pat@example.org"
    assert timeline_words("opened", "pat@example.org") == "Opened by pat@example.org"
    assert timeline_words("a new word", "") == "Paubox reports: a new word"


def test_sizes_and_bounces() -> None:
    for size in (0, 1, 2, 3, 2009):
        assert attachment_size(Attachment.from_bytes("a.txt", "text/plain", b"x" * size)) == size
    assert is_bounced("hard bounced")
    assert is_bounced("soft bounced - mailbox full")
    assert not is_bounced("delivered")
