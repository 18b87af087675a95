"""The sandbox acts on tracking overrides, records unsubscribe headers, and enforces one attachment limit.

Opens and clicks are reported only when tracking is on for that message: the send's
``override_*_tracking`` when it carried one, else the account default (``--open-tracking`` /
``--link-tracking``, both on by default). ``POST /_sandbox/one-click`` stands in for a
recipient's mail client using the one-click unsubscribe. Attachments over the limit
(``--attachment-limit-mb``, 10 by default, counted encoded) get 400 "Failed to send".
"""

from __future__ import annotations

import base64
import queue
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.__main__ import config_from_args, parse_args
from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import SENDER, client_for, message, receipt, send
from .test_webhooks import Receiver, register

LINKS = '<a href="https://a.example">a</a> <a href="https://b.example">b</a>'
ONE_CLICK_HEADERS = {
    "subject": "S",
    "from": SENDER,
    "List-Unsubscribe": "<mailto:u@clinic.example>, <https://clinic.example/unsubscribe?u=1>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def clicked(**data: object) -> dict[str, object]:
    return {"message": message(recipients=["jo.clicked@example.org"], content={"text/html": LINKS}), **data}


def engagement(api: httpx.Client, **data: object) -> dict[str, Any]:
    response = api.post("messages", json={"data": clicked(**data)})
    assert response.status_code == 200, response.text
    return receipt(api, response.json()["sourceTrackingId"])


def opened_and_clicks(got: dict[str, Any]) -> tuple[str, int, int]:
    return got["message_deliveries"][0]["status"]["openedStatus"], got["total_opens"], got["total_click_count"]


def records(sandbox_root: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=sandbox_root + "/_sandbox", timeout=5) as control:
        rows: list[dict[str, Any]] = control.get("/messages").json()["messages"]
        return rows


def test_account_default_tracking_reports_opens_and_clicks(api: httpx.Client) -> None:
    assert opened_and_clicks(engagement(api)) == ("opened", 1, 2)


def test_overrides_switch_tracking_off_per_message(api: httpx.Client) -> None:
    assert opened_and_clicks(engagement(api, override_open_tracking=False)) == ("not opened", 0, 2)
    assert opened_and_clicks(engagement(api, override_link_tracking="false")) == ("opened", 1, 0)
    both_off = engagement(api, override_open_tracking=False, override_link_tracking=False)
    assert opened_and_clicks(both_off) == ("not opened", 0, 0)
    assert both_off["clicks_per_link"] == []
    assert "openedTime" not in both_off["message_deliveries"][0]["status"]


def test_the_record_shows_what_the_request_carried(sandbox: SandboxServer, api: httpx.Client) -> None:
    send(api, message())
    send(api, message(), override_open_tracking=False, unsubscribe_url="https://clinic.example/u")
    plain, chosen = records(sandbox.root_url)
    assert (plain["override_open_tracking"], plain["override_link_tracking"]) == (None, None)
    assert (plain["open_tracking"], plain["link_tracking"]) == (True, True)  # the account default
    assert plain["unsubscribe_url"] is None
    assert (chosen["override_open_tracking"], chosen["open_tracking"]) == (False, False)
    assert chosen["override_link_tracking"] is None
    assert chosen["unsubscribe_url"] == "https://clinic.example/u"


@pytest.fixture(scope="module")
def untracked_sandbox() -> Iterator[SandboxServer]:
    """An account with open and link tracking off unless a send overrides it."""
    with SandboxServer(SandboxConfig(delivery_delay=0, open_tracking=False, link_tracking=False)) as server:
        yield server


def test_an_account_without_tracking_reports_opens_only_when_a_send_asks(untracked_sandbox: SandboxServer) -> None:
    with client_for(untracked_sandbox) as api:
        assert opened_and_clicks(engagement(api)) == ("not opened", 0, 0)
        assert opened_and_clicks(engagement(api, override_open_tracking=True)) == ("opened", 1, 0)
        assert opened_and_clicks(engagement(api, override_link_tracking=True)) == ("not opened", 0, 2)
        # Bulk items carry no overrides: the account default applies.
        bulk = api.post("bulk_messages", json={"data": {"messages": [clicked()["message"]]}})
        (item,) = bulk.json()["messages"]
        assert opened_and_clicks(receipt(api, item["sourceTrackingId"])) == ("not opened", 0, 0)
        # The address marker still decides what the recipient does: no open to report without it.
        plain = send(api, message(), override_open_tracking=True).json()["sourceTrackingId"]
        assert receipt(api, plain)["message_deliveries"][0]["status"]["openedStatus"] == "not opened"


def test_no_opened_webhook_without_open_tracking(api: httpx.Client, control: httpx.Client) -> None:
    receiver = Receiver()
    try:
        register(api, receiver.url)
        untracked = send(api, message(recipients=["jo.opened@example.org"]), override_open_tracking=False)
        tracked = send(api, message(recipients=["al.opened@example.org"]))
        events = sorted((receiver.next() for _ in range(3)), key=lambda e: (e["payload"]["to"], e["event_name"]))
        assert [(e["payload"]["to"], e["event_name"]) for e in events] == [
            ("al.opened@example.org", "api_mail_log_delivered"),
            ("al.opened@example.org", "api_mail_log_opened"),
            ("jo.opened@example.org", "api_mail_log_delivered"),
        ]
        assert events[2]["payload"]["source_tracking_id"] == untracked.json()["sourceTrackingId"]
        assert events[0]["payload"]["source_tracking_id"] == tracked.json()["sourceTrackingId"]
        with pytest.raises(queue.Empty):
            receiver.events.get(timeout=0.3)  # and nothing more
    finally:
        receiver.close()


def test_command_line_flags_for_the_account_and_the_limit() -> None:
    config = config_from_args(parse_args(["--open-tracking", "off", "--attachment-limit-mb", "2.5"]))
    assert (config.open_tracking, config.link_tracking) == (False, True)
    assert config.attachment_limit_bytes == int(2.5 * 1024 * 1024)
    default = config_from_args(parse_args([]))
    assert (default.open_tracking, default.link_tracking, default.attachment_limit_mb) == (True, True, 10.0)
    with pytest.raises(ValueError, match="attachment_limit_mb"):
        SandboxConfig(attachment_limit_mb=0)


# --------------------------------------------------------------------------- unsubscribe


def test_unsubscribe_headers_are_recorded_and_one_click_unsubscribes(
    sandbox: SandboxServer, api: httpx.Client, control: httpx.Client
) -> None:
    response = send(api, message(headers=ONE_CLICK_HEADERS))
    assert response.status_code == 200
    assert response.json()["customHeaders"] == {}  # only X- headers are echoed
    tracking_id = response.json()["sourceTrackingId"]
    (row,) = records(sandbox.root_url)
    assert row["list_unsubscribe"] == ONE_CLICK_HEADERS["List-Unsubscribe"]
    assert row["list_unsubscribe_post"] == "List-Unsubscribe=One-Click"
    assert row["unsubscribed"] == []
    assert receipt(api, tracking_id)["unsubscribed"] is False

    clicked_unsubscribe = control.post("/one-click", json={"sourceTrackingId": tracking_id})
    assert clicked_unsubscribe.status_code == 200
    assert clicked_unsubscribe.json() == {
        "unsubscribed": True,
        "recipient": "patient@example.org",
        "url": "https://clinic.example/unsubscribe?u=1",  # where a mail client would POST; not called
        "method": "POST",
        "body": "List-Unsubscribe=One-Click",
    }
    assert receipt(api, tracking_id)["unsubscribed"] is True
    assert records(sandbox.root_url)[0]["unsubscribed"] == ["patient@example.org"]


def test_one_click_needs_a_one_click_message(api: httpx.Client, control: httpx.Client) -> None:
    mailto_only = {**ONE_CLICK_HEADERS, "List-Unsubscribe": "<mailto:u@clinic.example>"}
    no_post = {k: v for k, v in ONE_CLICK_HEADERS.items() if k != "List-Unsubscribe-Post"}
    wrong_post = {**ONE_CLICK_HEADERS, "List-Unsubscribe-Post": "yes"}
    for headers in (mailto_only, no_post, wrong_post, {"subject": "S", "from": SENDER}):
        tracking_id = send(api, message(headers=headers)).json()["sourceTrackingId"]
        refused = control.post("/one-click", json={"sourceTrackingId": tracking_id})
        assert refused.status_code == 409, headers
        assert receipt(api, tracking_id)["unsubscribed"] is False
    assert control.post("/one-click", json={"sourceTrackingId": "nope"}).status_code == 404
    assert control.post("/one-click", json={"recipient": "x@example.org"}).status_code == 400
    assert control.post("/one-click", content=b"not json").status_code == 400


def test_one_click_on_a_multi_recipient_message_names_the_recipient(api: httpx.Client, control: httpx.Client) -> None:
    msg = message(recipients=["pat@example.org", "jo@example.org"], headers=ONE_CLICK_HEADERS)
    tracking_id = send(api, msg).json()["sourceTrackingId"]
    assert control.post("/one-click", json={"sourceTrackingId": tracking_id}).status_code == 400
    stranger = control.post("/one-click", json={"sourceTrackingId": tracking_id, "recipient": "eve@example.org"})
    assert stranger.status_code == 400
    done = control.post("/one-click", json={"sourceTrackingId": tracking_id, "recipient": "JO@example.org"})
    assert done.json()["recipient"] == "jo@example.org"
    assert "unsubscribed" not in receipt(api, tracking_id)  # multi-recipient receipts carry no engagement


def test_unsubscribe_values_with_line_breaks_are_refused(api: httpx.Client) -> None:
    headers = {**ONE_CLICK_HEADERS, "List-Unsubscribe": "<https://clinic.example/u>\r\nBcc: spy@evil.example"}
    assert send(api, message(headers=headers)).status_code == 400
    assert send(api, message(), unsubscribe_url="https://clinic.example/u\r\nX: 1").status_code == 400
    assert send(api, message(), unsubscribe_url=7).status_code == 400


# --------------------------------------------------------------------------- attachment limit


def attachment(size: int) -> dict[str, str]:
    """An attachment of ``size`` raw bytes (base64 makes it 4/3 as large)."""
    return {
        "fileName": "scan.pdf",
        "contentType": "application/pdf",
        "content": base64.b64encode(b"\0" * size).decode(),
    }


def test_a_12_mb_attachment_is_refused_with_400_failed_to_send(api: httpx.Client) -> None:
    response = send(api, message(attachments=[attachment(12 * 1024 * 1024)]))
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == 400
    assert error["title"] == "Failed to send"
    assert error["details"] == "Attachments are 16.0 MB once encoded; the limit is 10.0 MB."
    bulk = api.post(
        "bulk_messages", json={"data": {"messages": [message(), message(attachments=[attachment(12 << 20)])]}}
    )
    assert bulk.status_code == 400
    assert bulk.json()["errors"][0]["details"].startswith("messages[1]: Attachments are 16.0 MB")
    assert send(api, message(attachments=[attachment(7 * 1024 * 1024)])).status_code == 200  # 9.3 MB encoded


@pytest.fixture(scope="module")
def one_mb_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(delivery_delay=0, attachment_limit_mb=1)) as server:
        yield server


def test_the_limit_counts_every_attachment_encoded(one_mb_sandbox: SandboxServer) -> None:
    exactly = 3 * (1024 * 1024 // 4)  # raw bytes whose base64 is exactly 1 MiB
    with client_for(one_mb_sandbox) as api:
        assert send(api, message(attachments=[attachment(exactly)])).status_code == 200
        assert send(api, message(attachments=[attachment(exactly + 1)])).status_code == 400
        halves = [attachment(exactly // 2), attachment(exactly // 2 + 3)]
        assert send(api, message(attachments=halves)).status_code == 400  # the total counts
        wrapped = attachment(exactly)
        wrapped["content"] = "\n".join(wrapped["content"][i : i + 76] for i in range(0, len(wrapped["content"]), 76))
        assert send(api, message(attachments=[wrapped])).status_code == 200  # line breaks are not counted
        scheduled = api.post("schedule", json={"data": {"message": message(attachments=[attachment(exactly + 3)]),
                                                        "scheduled_at": "2099-01-01T00:00:00Z"}})  # fmt: skip
        assert scheduled.status_code == 400
        assert scheduled.json()["errors"][0]["title"] == "Failed to send"
