"""Remote images: kept in what Sealpost sends, never loaded in what it shows (docs/security.md §2a).

A sender's own logo on ``https://`` is ordinary email, so the allowlist keeps ``http(s)`` image
sources in the body that is stored and sent. What Sealpost *shows* (the composer's preview and its
editor) loads nothing: a remote image there would be a tracking pixel fired from a staff machine.
Proved against a real HTTP server on loopback that counts every request it gets.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QTextEdit
from pytestqt.qtbot import QtBot

from desktop_app.core.sanitize import sanitize_html
from desktop_app.ui.composer import SafePreview


class _Pixel(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # a tracking pixel answers with an image; this one only counts
        _Pixel.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        return


@pytest.fixture
def pixel_url() -> Iterator[str]:
    _Pixel.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pixel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/open.gif?patient=42&message=7"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _body(url: str) -> str:
    return f'<p>Results attached.</p><img src="{url}" width="1" height="1"><img src="https://clinic.example/logo.png">'


def test_negative_control_the_pixel_server_counts_a_real_load(pixel_url: str) -> None:
    """If a load could not be seen, the "nothing reached the network" checks below would prove nothing."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never through a proxy
    with direct.open(pixel_url, timeout=5) as response:
        assert response.status == 200
    assert _Pixel.requests == ["/open.gif?patient=42&message=7"]


def test_what_is_sent_keeps_remote_images(pixel_url: str) -> None:
    clean = sanitize_html(_body(pixel_url))
    assert f'src="{pixel_url.replace("&", "&amp;")}"' in clean
    assert 'src="https://clinic.example/logo.png"' in clean


def test_the_preview_refuses_every_remote_image(qtbot: QtBot, pixel_url: str) -> None:
    preview = SafePreview()
    qtbot.addWidget(preview)
    preview.setHtml(sanitize_html(_body(pixel_url)))
    preview.show()
    qtbot.waitExposed(preview)
    qtbot.wait(300)  # time for any load to reach the server
    assert pixel_url in preview.requested_resources  # Qt asked for it ...
    assert preview.loadResource(int(QTextDocument.ResourceType.ImageResource), QUrl(pixel_url)) is None  # ... refused
    assert _Pixel.requests == []  # and nothing reached the network


def test_the_composer_editor_loads_no_remote_image_either(qtbot: QtBot, pixel_url: str) -> None:
    """A draft or a resend puts a stored body back into the editor (a QTextEdit, which fetches nothing)."""
    editor = QTextEdit()
    qtbot.addWidget(editor)
    editor.setHtml(sanitize_html(_body(pixel_url)))
    editor.show()
    qtbot.waitExposed(editor)
    qtbot.wait(300)
    assert _Pixel.requests == []
