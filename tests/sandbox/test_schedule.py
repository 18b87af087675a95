"""Scheduled sends: create, status, reschedule, cancel, the 30-day horizon, and firing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from .helpers import message


def at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat().replace("+00:00", "Z")


def schedule(api: httpx.Client, when: str) -> httpx.Response:
    return api.post("schedule", json={"data": {"message": message(), "scheduled_at": when}})


def test_schedule_lifecycle(api: httpx.Client) -> None:
    created = schedule(api, at(timedelta(days=2)))
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["state"] == "pending"
    assert body["data"] == "Service OK"
    tracking_id = body["sourceTrackingId"]

    status = api.get(f"schedule/{tracking_id}").json()
    assert status["state"] == "pending"
    assert status["sentAt"] is None
    assert set(status) == {
        "sourceTrackingId",
        "scheduledAt",
        "state",
        "messageId",
        "sentAt",
        "cancelledAt",
        "errorMessage",
    }

    later = at(timedelta(days=3))
    moved = api.patch(f"schedule/{tracking_id}", json={"scheduled_at": later})
    assert moved.status_code == 200
    assert moved.json()["data"] == "Rescheduled"
    assert moved.json()["scheduledAt"] == later[:19] + "Z"

    cancelled = api.post(f"schedule/{tracking_id}/cancel")
    assert cancelled.json() == {"sourceTrackingId": tracking_id, "state": "cancelled", "data": "Cancelled"}
    assert api.get(f"schedule/{tracking_id}").json()["cancelledAt"] is not None
    assert api.post(f"schedule/{tracking_id}/cancel").status_code == 422
    assert api.patch(f"schedule/{tracking_id}", json={"scheduled_at": later}).status_code == 422


def test_scheduled_message_fires_under_its_tracking_id(api: httpx.Client, control: httpx.Client) -> None:
    tracking_id = schedule(api, at(timedelta(seconds=0.2))).json()["sourceTrackingId"]
    assert api.get("message_receipt", params={"sourceTrackingId": tracking_id}).status_code == 404
    time.sleep(0.3)
    status = api.get(f"schedule/{tracking_id}").json()
    assert status["state"] == "sent"
    assert status["messageId"].startswith("<")
    assert api.get("message_receipt", params={"sourceTrackingId": tracking_id}).status_code == 200
    assert control.get("/messages").json()["messages"][0]["kind"] == "schedule"


@pytest.mark.parametrize(
    "when",
    [at(timedelta(minutes=-1)), at(timedelta(days=31)), "tomorrow", None, 12],
)
def test_schedule_rejects_bad_times(api: httpx.Client, when: object) -> None:
    response = api.post("schedule", json={"data": {"message": message(), "scheduled_at": when}})
    assert response.status_code == 400
    assert "scheduled_at" in response.json()["errors"][0]["details"]


def test_unknown_schedule_is_404(api: httpx.Client) -> None:
    assert api.get("schedule/nope").status_code == 404
    assert api.post("schedule/nope/cancel").status_code == 404
