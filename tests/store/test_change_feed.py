"""The follower reads each change another process commits once (store/change_feed.py)."""

from __future__ import annotations

import time

from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.profile import Profile
from desktop_app.store.messages import MessageStore
from desktop_app.store.unlock import open_profile_database
from tests.helpers.messages import make_message


def _store(profile: Profile, clock: float = 0.0) -> MessageStore:
    connection = open_profile_database(profile.directory / "sealpost.db", profile.settings.profile_id)
    return MessageStore(connection, clock=lambda: time.time() - clock)


def test_a_check_reads_only_changes_it_has_not_reported(profile: Profile) -> None:
    follower, other = _store(profile), _store(profile)
    try:
        since, last_id = time.time() - 5, follower.last_id()
        ids = [other.add(make_message(f"row {n}"), state=OutboxState.DRAFT).id for n in range(3)]
        first = follower.unseen_changes(since, last_id)
        assert sorted(i for i, _ in first) == sorted(ids)
        last_id = max(ids)
        assert follower.unseen_changes(since, last_id) == []  # nothing new: nothing read again
        other.save_draft(make_message("row 1, edited"), ids[1])
        again = follower.unseen_changes(since, last_id)
        assert [i for i, _ in again] == [ids[1]]  # a row changed again is heard again, alone
        assert again[0][1] > dict(first)[ids[1]]
        assert follower.unseen_changes(since, last_id) == []
    finally:
        follower.close()
        other.close()


def test_a_change_committed_late_with_an_old_stamp_is_heard(profile: Profile) -> None:
    """Stamped when its transaction began, 3 s before it committed: after the follower's first look."""
    follower, late = _store(profile), _store(profile, clock=3.0)
    try:
        since, last_id = time.time() - 5, follower.last_id()
        draft = follower.add(make_message("mine"), state=OutboxState.DRAFT).id
        assert [i for i, _ in follower.unseen_changes(since, last_id)] == [draft]
        last_id = draft
        late.save_draft(make_message("edited elsewhere"), draft)  # stamped 3 s ago, within the slack
        heard = follower.unseen_changes(since, last_id)
        assert [i for i, _ in heard] == [draft]
        assert heard[0][1] < time.time() - 2
    finally:
        follower.close()
        late.close()
