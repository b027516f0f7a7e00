"""Issue 19, item 8: slow clients, too many connections and shutdown are bounded.

Slowloris connections lived for ever (aiohttp waits for a request head until its hour-long keep-alive timeout),
a body that never finished held its handler, every connection offered was taken, and SIGTERM waited for every
open stream (89.6 s; never with a stalled one). ``server.guard`` bounds each.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.guard import ServerLimits
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.serve_proc import start_serve

HEAD = b"POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: sk-test\r\nanthropic-version: 2023-06-01\r\n"


@pytest.fixture
def tight() -> Iterator[ServerThread]:
    limits = ServerLimits(head_timeout=0.5, body_timeout=0.5, max_connections=6, shutdown_grace=0.5)
    with ServerThread(create_app(Settings()), limits=limits) as srv:
        yield srv


def _read_all(sock: socket.socket, seconds: float) -> bytes:
    sock.settimeout(seconds)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pass
    return data


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed ``sock`` within ``seconds``, and what it sent before."""
    deadline = time.monotonic() + seconds
    data = b""
    sock.settimeout(0.1)
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return True, data
        if not chunk:
            return True, data
        data += chunk
    return False, data


def test_a_slowloris_head_is_cut_off(tight: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", tight.port)) as sock:
        start = time.monotonic()
        sock.sendall(HEAD)  # never finished: one header byte at a time
        closed = False
        data = b""
        while time.monotonic() - start < 5 and not closed:
            try:
                sock.sendall(b"x")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed, more = _closed_within(sock, 0.1)
            data += more
        assert closed and time.monotonic() - start < 3
    assert data.startswith(b"HTTP/1.1 408")
    body = json.loads(data.split(b"\r\n\r\n", 1)[1])
    assert body["type"] == "error" and body["request_id"].startswith("req_")
    assert rawhttp.request("GET", tight.url + "/_mock/health").status == 200


def test_an_idle_connection_that_sends_nothing_is_closed(tight: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", tight.port)) as sock:
        closed, _ = _closed_within(sock, 3)
        assert closed


def test_a_kept_alive_connection_with_a_half_sent_second_head_is_closed(tight: ServerThread) -> None:
    body = json.dumps(
        {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
    )
    with socket.create_connection(("127.0.0.1", tight.port)) as sock:
        sock.sendall(
            HEAD + b"content-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(body) + body.encode()
        )
        time.sleep(0.3)
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(HEAD)  # the next head, never finished
        closed, data = _closed_within(sock, 3)
        assert closed and b"408" in data


def test_a_body_that_never_finishes_is_a_400_request_body_timeout(tight: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", tight.port)) as sock:
        sock.sendall(HEAD + b'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model": ')
        start = time.monotonic()
        data = _read_all(sock, 4)
        assert time.monotonic() - start < 4
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    error = json.loads(rest)["error"]
    assert error["details"] == {"error_code": "request_body_timeout"}


def test_connections_past_the_cap_get_a_529_and_the_server_keeps_accepting(tight: ServerThread) -> None:
    held = [socket.create_connection(("127.0.0.1", tight.port)) for _ in range(6)]
    try:
        time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", tight.port)) as extra:
            data = _read_all(extra, 2)
        assert data.startswith(b"HTTP/1.1 529")
        assert json.loads(data.split(b"\r\n\r\n", 1)[1])["error"]["type"] == "overloaded_error"
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert rawhttp.request("GET", tight.url + "/_mock/health").status == 200


def test_sigterm_with_a_stalled_stream_exits_within_the_grace() -> None:
    proc, url = start_serve("--shutdown-grace", "1")
    try:
        stub = {"match": {"last_user_text": "hang"}, "reply": {"fault": {"kind": "stall"}}}
        assert rawhttp.post(url + "/_mock/stubs", json_body=stub).status == 200
        body = {
            "model": "claude-sonnet-4-6",
            "max_tokens": 8,
            "stream": True,
            "messages": [{"role": "user", "content": "hang"}],
        }
        stalled = threading.Thread(
            target=lambda: _swallow(lambda: rawhttp.post(url + "/v1/messages", json_body=body, timeout=60)),
            daemon=True,
        )
        stalled.start()
        time.sleep(0.5)  # the stream is open and stalled
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
        assert time.monotonic() - start < 5, out
        assert proc.returncode == 0 and "mockclaude stopped." in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _swallow(call: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):  # the server closes the stalled stream on its way out
        call()
