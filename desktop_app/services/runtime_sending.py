"""One sending owner per profile, seen from one process: who sends now, taking over when the owner's
lock frees, and following what other processes on the profile commit (see services/ownership.py)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from desktop_app.services.audit_forwarding import start_forwarding
from desktop_app.services.outbox import Connectivity, EngineStatus
from desktop_app.services.runtime_state import RuntimeState

log = logging.getLogger("desktop_app.services.runtime")

TAKEOVER_CHECK_SECONDS = 0.3
"""How often a process that is not the sending owner checks whether the owner has gone."""


OTHER_PROCESS_CHECK_SECONDS = 0.25
"""How often the store is asked whether another process committed (``PRAGMA data_version``)."""

BUSY_CHECK_SECONDS = 1.0
"""The same while another process commits without pause and this one does not send (a window open
during a ``sealpost batch``): each check re-reads the rows of its look-back (≈ 2,500 at Paubox's
rate), Python work that the window's GUI thread waits out. Checking once a second, the lists and the
progress bar still move every second (scenario 12: the follower was a third of the window's CPU)."""


CHANGE_SLACK_SECONDS = 5.0
"""How far back a change check looks: another process stamps a change when its transaction starts,
and may commit it a little later."""


class SendingCoordination(RuntimeState):
    """Sending ownership as the runtime lives it: take over when the owner goes, follow other processes."""

    @property
    def is_sending_owner(self) -> bool:
        """Whether this process sends for the profile now (see services/ownership.py)."""
        return self.outbox is not None and self.outbox.running

    def key_refusal(self) -> str:
        """Why Paubox refuses this run's key, or "": the outbox waits for a new key, which a headless run never gets."""
        status = self.outbox.status if self.outbox is not None else None
        return status.detail if status is not None and status.connectivity is Connectivity.KEY_REJECTED else ""

    def _start_sending(self) -> None:
        """Holding the lock proves any previous owner gone: recover its rows, then send and track."""
        assert self.outbox is not None
        assert self.tracker is not None
        with self._owner_lock:
            if self._closed:
                return
            # The status is set before the engine runs, so whoever sees this process own the
            # sending (``is_sending_owner``) never sees the other owner's "delegated" text.
            if self.key_missing:
                self.outbox._set_status(
                    EngineStatus(Connectivity.KEY_REJECTED, "Enter your Paubox API key in Settings to send.")
                )
            elif self.outbox.status.connectivity is Connectivity.DELEGATED:
                self.outbox._set_status(EngineStatus(Connectivity.ONLINE))
            self.outbox.start()
            self.tracker.start()
            self._start_forwarding()
        log.info("this process sends for the profile")

    def _start_forwarding(self) -> None:
        """The sending owner alone forwards the audit trail to the organisation's syslog (if set)."""
        assert self.store is not None
        settings = self.profile.settings
        self.forwarder = start_forwarding(self.store, settings.audit_forwarding, settings.profile_id)
        if self.forwarder is not None:
            self.store.on_audit(self.forwarder.wake)

    def _show_delegated(self) -> None:
        assert self.outbox is not None
        holder = self.ownership.holder()
        who = holder.describe() if holder else "Another Sealpost process"
        log.info("another process sends for this profile; messages queued here go out through it")
        self.outbox._set_status(EngineStatus(Connectivity.DELEGATED, (
            f"{who} is sending for this profile; messages queued here go out through it, "
            "and this window takes over when it ends."
        )))  # fmt: skip

    def _wait_for_ownership(self) -> None:
        """Not the owner: take over as soon as the owner's lock frees (it exited, or was killed)."""
        while not self._stop_threads.wait(TAKEOVER_CHECK_SECONDS):
            if self.ownership.try_acquire():
                self._start_sending()
                return

    def _follow_other_processes(self) -> None:
        """Tell this process's listeners what other processes changed, and wake the sender for it.

        ``PRAGMA data_version`` changes only when another connection commits, so the common case
        (nobody else is there) costs one pragma per check.
        """
        store = self.store
        assert store is not None
        version = store.data_version()
        seen: dict[int, float] = {}
        since = time.time() - CHANGE_SLACK_SECONDS
        last_id = store.last_id()  # rows added later are heard however long their transaction took
        interval = OTHER_PROCESS_CHECK_SECONDS
        while not self._stop_threads.wait(interval):
            try:
                current = store.data_version()
                interval = OTHER_PROCESS_CHECK_SECONDS
                if current == version:
                    continue
                if not self.is_sending_owner:  # the owner wakes its sender for what others queue, at once
                    interval = BUSY_CHECK_SECONDS
                version, checked_at = current, time.time()
                found = store.changed_since(since, last_id)
                if found:
                    last_id = max(last_id, max(i for i, _ in found))
                changed = [(i, at) for i, at in found if seen.get(i) != at]
                seen.update(changed)
                if len(seen) > 2 * len(found):  # forget what fell out of the look-back, now and then
                    seen = {i: at for i, at in seen.items() if at >= since}
                since = checked_at - CHANGE_SLACK_SECONDS
                store.notify_changed([i for i, _ in changed])
                if self.is_sending_owner and self.outbox is not None and self.tracker is not None:
                    self.outbox.wake()
                    self.tracker.wake()
            except Exception:
                if self._stop_threads.is_set():
                    return
                log.exception("could not check for other processes' changes")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._background.append(thread)
        thread.start()
