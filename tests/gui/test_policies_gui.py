"""Policies in the window: the composer's switches follow them, Help → Policies lists them, and a
malformed policy file is named in the problem banner while the app still starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.policies import Document, evaluate
from desktop_app.services.profile import Profile
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.policies_dialog import PoliciesDialog
from desktop_app.ui.settings_form import MANAGED
from tests.gui.conftest import WindowFactory, sandbox_runtime

CLINIC = "/etc/sealpost/policies/managed/10-clinic.json"


GOOD = [
    Document(
        "managed",
        CLINIC,
        {"AllowNonTLS": True, "ForceSecureNotification": True, "IdleLockMinutes": 2, "PassphraseRequired": True},
    ),
    Document("recommended", "/etc/sealpost/policies/recommended/x.json", {"OpenTracking": "off"}),
]
BROKEN = Document("managed", "/etc/sealpost/policies/managed/20-broken.json", None, "is not valid JSON")


@pytest.fixture(params=[False])
def policy_window(
    request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path, sandbox: SandboxServer
) -> Iterator[MainWindow]:
    documents = [*GOOD, BROKEN] if request.param else GOOD
    profile = Profile(tmp_path / "p", evaluate(documents, "/etc/sealpost/policies"))
    window = MainWindow(profile, sandbox_runtime(sandbox))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.start()
    yield window
    window.close()


def test_without_a_policy_the_non_tls_switch_stays_off(make_window: WindowFactory) -> None:
    composer = make_window().composer
    assert not composer.allow_non_tls.isEnabled()
    assert "does not allow" in composer.allow_non_tls.toolTip()
    assert composer.secure_notification.isEnabled()


def test_the_composer_follows_the_policies(policy_window: MainWindow) -> None:
    composer = policy_window.composer
    assert composer.allow_non_tls.isEnabled()
    assert not composer.secure_notification.isEnabled()
    assert composer.secure_notification.isChecked()
    assert composer.secure_notification.toolTip() == MANAGED
    notice = policy_window.passphrase_notice
    assert notice.isVisible()
    assert any("requires an app passphrase" in label.text() for label in notice.findChildren(QLabel))
    assert composer.open_tracking.isEnabled()  # recommended: a default the user may change
    assert composer.open_tracking.value() is False
    composer.open_tracking.set_value(True)
    composer.load(None)  # each new message starts from the effective defaults
    assert composer.open_tracking.value() is False
    assert composer.secure_notification.isChecked()


@pytest.mark.parametrize("policy_window", [True], indirect=True)
def test_a_malformed_policy_is_named_in_the_banner_audited_and_the_app_runs(
    qtbot: QtBot, policy_window: MainWindow
) -> None:
    assert policy_window.problem.isVisible()
    assert "20-broken.json: is not valid JSON" in policy_window.problem.text()
    store = policy_window.runtime.store
    assert store is not None
    entries = [e for e in store.audit_entries() if e.action == "policy_problem"]
    assert [e.actor for e in entries] == ["policy"]
    assert "20-broken.json" in entries[0].detail
    assert policy_window.composer.send_button.isEnabled()
    assert not policy_window.composer.allow_non_tls.isEnabled()  # failed closed: the good file allowed it


@pytest.mark.parametrize("policy_window", [True], indirect=True)
def test_help_policies_lists_effective_values_and_sources(qtbot: QtBot, policy_window: MainWindow) -> None:
    item = next(a for a in policy_window.help_menu.actions() if a.text() == "&Policies…")
    item.trigger()
    dialog = policy_window.findChild(PoliciesDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    table = dialog.table
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, 4)] for r in range(table.rowCount())}
    assert rows["IdleLockMinutes"] == ["2", "Managed (mandatory)", CLINIC]
    assert rows["OpenTracking"] == ['"off"', "Recommended", "/etc/sealpost/policies/recommended/x.json"]
    assert rows["MessageFooter"][1] == "Built-in default"
    assert rows["NoContentExport"][0] == "true"  # fail closed: a managed file is broken
    assert "20-broken.json" in dialog.problems.text()
    dialog.reject()
