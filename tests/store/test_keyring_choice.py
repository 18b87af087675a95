"""Which keyring a process uses: the one OS keyring that answers, found without keyring's scan of every
installed package's plugins, and keyring's full search still where it matters (store/keys.py).

Each case runs in a process of its own (keyring chooses once per process), under the real Secret
Service, with a third-party plugin registered through an entry point on ``PYTHONPATH``: importing
the plugin leaves a mark, and its backend keeps passwords in a JSON file and outranks every OS keyring.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PLUGIN = textwrap.dedent('''
    """A third-party keyring plugin: marks its import; keeps passwords in a JSON file."""
    import json, os
    from pathlib import Path
    import keyring.backend

    Path(os.environ["SPY_MARK"]).write_text("imported")
    STORE = Path(os.environ["SPY_STORE"])

    class SpyKeyring(keyring.backend.KeyringBackend):
        priority = 20  # outranks every OS keyring: keyring's own search picks it

        def _values(self):
            return json.loads(STORE.read_text()) if STORE.exists() else {}

        def get_password(self, service, username):
            return self._values().get(f"{service}/{username}")

        def set_password(self, service, username, password):
            values = self._values()
            values[f"{service}/{username}"] = password
            STORE.write_text(json.dumps(values))

        def delete_password(self, service, username):
            values = self._values()
            values.pop(f"{service}/{username}", None)
            STORE.write_text(json.dumps(values))
''')

PROBE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import keyring
    from desktop_app.store.database import close_database
    from desktop_app.store.unlock import open_profile_database
    close_database(open_profile_database(Path(sys.argv[1]) / "sealpost.db", sys.argv[2]))
    print(json.dumps(type(keyring.get_keyring()).__module__))
""")


def _install_plugin(site: Path) -> None:
    site.mkdir()
    (site / "spy_keyring.py").write_text(PLUGIN)
    info = site / "spy_keyring-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-keyring\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[keyring.backends]\nspy = spy_keyring\n")


def _open(tmp_path: Path, profile: Path, **env: str) -> tuple[str, bool]:
    """Open (or create) ``profile``'s database in a new process: the keyring backend's module, and
    whether the plugin was imported."""
    mark = tmp_path / "imported"
    mark.unlink(missing_ok=True)
    environ = {**os.environ, "PYTHONPATH": f"{tmp_path / 'site'}{os.pathsep}{REPO}",
               "SPY_MARK": str(mark), "SPY_STORE": str(tmp_path / "spy.json"), **env}  # fmt: skip
    if "PYTHON_KEYRING_BACKEND" not in env:
        environ.pop("PYTHON_KEYRING_BACKEND", None)
    profile_id = (profile / "id").read_text() if (profile / "id").exists() else f"p-{uuid.uuid4().hex}"
    (profile / "id").write_text(profile_id)  # each profile its own entries in the real keyring
    result = subprocess.run([sys.executable, "-c", PROBE, str(profile), profile_id], cwd=REPO, env=environ,
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    module: str = json.loads(result.stdout)
    return module, mark.exists()


@pytest.fixture
def plugin_site(tmp_path: Path) -> Path:
    _install_plugin(tmp_path / "site")
    return tmp_path


@pytest.mark.keyring
def test_a_new_profile_uses_the_os_keyring_without_loading_plugins(plugin_site: Path) -> None:
    profile = plugin_site / "new"
    profile.mkdir()
    assert _open(plugin_site, profile) == ("desktop_app.store.secret_service", False)
    assert _open(plugin_site, profile) == ("desktop_app.store.secret_service", False)  # and opens it again
    assert not (plugin_site / "spy.json").exists()


@pytest.mark.keyring
def test_an_explicit_choice_of_backend_is_honoured(plugin_site: Path) -> None:
    profile = plugin_site / "chosen"
    profile.mkdir()
    assert _open(plugin_site, profile, PYTHON_KEYRING_BACKEND="spy_keyring.SpyKeyring") == ("spy_keyring", True)
    profile_id = (profile / "id").read_text()
    assert f"Sealpost/database-key:{profile_id}" in json.loads((plugin_site / "spy.json").read_text())


@pytest.mark.keyring
def test_a_database_whose_key_only_a_plugin_holds_still_opens(plugin_site: Path) -> None:
    """Made when keyring's own search chose the plugin (here: chosen explicitly); opened later by a
    process that looks at the OS keyring first, which lacks the key: keyring's full search finds it."""
    profile = plugin_site / "older"
    profile.mkdir()
    _open(plugin_site, profile, PYTHON_KEYRING_BACKEND="spy_keyring.SpyKeyring")
    assert _open(plugin_site, profile) == ("spy_keyring", True)
