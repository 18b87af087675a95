"""A real rsyslog on loopback for the forwarding tests, and a reader for what it wrote.

``rsyslogd -n -f CONF -i PIDFILE`` runs unprivileged in the foreground with a private config:
imtcp on 127.0.0.1 at a free port (optionally TLS through rsyslog-gnutls), every message
received written as ``%rawmsg%`` (the frame's bytes, framing removed) to one file per line.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

RSYSLOGD = shutil.which("rsyslogd") or ("/usr/sbin/rsyslogd" if Path("/usr/sbin/rsyslogd").exists() else None)
LINE = re.compile(
    r"<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
    r"\[(?P<sdid>sealpost@32473) (?P<params>(?:[\w-]+=\"(?:[^\"\\\]]|\\.)*\" ?)+)\] (?P<msg>.*)"
)
PARAM = re.compile(r'([\w-]+)="((?:[^"\\\]]|\\.)*)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


class Collector:
    def __init__(self, directory: Path, tls: TlsFiles | None = None) -> None:
        assert RSYSLOGD is not None
        self.directory = directory
        self.port = free_port()
        self.output = directory / "received.log"
        self.tls = tls
        self._process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "rsyslog.conf").write_text(self._config())

    def _config(self) -> str:
        work = self.directory
        if self.tls is None:
            head = f'global(workDirectory="{work}")\nmodule(load="imtcp")\n'
        else:
            head = (
                f'global(workDirectory="{work}" DefaultNetstreamDriverCAFile="{self.tls.ca}" '
                f'DefaultNetstreamDriverCertFile="{self.tls.cert}" DefaultNetstreamDriverKeyFile="{self.tls.key}")\n'
                'module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.Authmode="anon")\n'
            )
        return head + (
            f'input(type="imtcp" address="127.0.0.1" port="{self.port}" ruleset="forwarded")\n'
            'template(name="raw" type="string" string="%rawmsg%\\n")\n'
            f'ruleset(name="forwarded") {{ action(type="omfile" file="{self.output}" template="raw") }}\n'
        )

    def start(self) -> None:
        assert RSYSLOGD is not None
        pidfile = self.directory / "rsyslogd.pid"
        pidfile.unlink(missing_ok=True)
        with open(self.directory / "rsyslogd.err", "ab") as errors:  # the child keeps its own copy
            self._process = subprocess.Popen(
                [RSYSLOGD, "-n", "-f", str(self.directory / "rsyslog.conf"), "-i", str(pidfile)],
                stdout=subprocess.DEVNULL, stderr=errors,
            )  # fmt: skip
        deadline = time.monotonic() + 15
        while True:
            assert self._process.poll() is None, (self.directory / "rsyslogd.err").read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "rsyslogd did not start listening"
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            self._process.wait(15)
        self._process = None

    def lines(self) -> list[str]:
        if not self.output.exists():
            return []
        return [line for line in self.output.read_text("utf-8").split("\n") if line]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(lines := self.lines()) < count:
            assert time.monotonic() < deadline, f"only {len(lines)} of {count} lines arrived"
            time.sleep(0.05)
        return lines


def parse(line: str) -> dict[str, str]:
    """One RFC 5424 line as its header fields plus the structured-data parameters (unescaped)."""
    match = LINE.fullmatch(line)
    assert match is not None, f"not an RFC 5424 line with sealpost structured data: {line!r}"
    fields = {k: v for k, v in match.groupdict().items() if k != "params"}
    for name, value in PARAM.findall(match["params"]):
        fields[name] = re.sub(r"\\(.)", r"\1", value)
    return fields


def check_chain(events: list[dict[str, str]]) -> None:
    """What a collector can check: each event follows the one before, and its hash where detail came."""
    for before, event in itertools.pairwise(events):
        assert event["prev"] == before["hash"], f"seq {event['seq']} does not follow seq {before['seq']}"
    for event in events:
        if "detail" in event:
            message = int(event["message"]) if event["message"] else None
            record = [event["prev"], event["at"], event["actor"], event["action"], message, event["detail"]]
            digest = hashlib.sha256(json.dumps(record, ensure_ascii=False).encode("utf-8")).hexdigest()
            assert digest == event["hash"], f"seq {event['seq']}: the hash does not match its fields"
