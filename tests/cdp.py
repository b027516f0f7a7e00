"""A headless Chromium driven over the DevTools protocol (CDP), with nothing but aiohttp's websocket client.

Enough for the inspector's browser tests: open a page, evaluate JavaScript, click like a mouse does, take a
screenshot, and collect every console error, uncaught exception and browser log error (a CSP violation, a failed
load) the page produced. ``--dump-dom`` runs are a plain subprocess (:func:`dump_dom`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1440,900",
]
JSON = dict[str, Any]


def dump_dom(url: str, budget_ms: int = 3000) -> str:
    """The DOM of ``url`` after its scripts ran for ``budget_ms`` of virtual time (``chromium --dump-dom``)."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="mockclaude-chromium-", ignore_cleanup_errors=True) as profile:
        done = subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Browser:
    """One Chromium process and its browser-level CDP connection."""

    def __init__(self, process: asyncio.subprocess.Process, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.process = process
        self.ws = ws
        self._next = 0
        self._pending: dict[int, asyncio.Future[JSON]] = {}
        self._pages: dict[str, Page] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future is not None and not future.done():
                    if "error" in data:
                        future.set_exception(RuntimeError(f"CDP error: {data['error']}"))
                    else:
                        future.set_result(data.get("result", {}))
            elif (page := self._pages.get(data.get("sessionId", ""))) is not None:
                page.on_event(data["method"], data.get("params", {}))

    async def send(self, method: str, params: JSON | None = None, session: str | None = None) -> JSON:
        """One CDP command (on a page's session when ``session`` is given); its result."""
        self._next += 1
        message: JSON = {"id": self._next, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        future: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._pending[self._next] = future
        await self.ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, 30)

    async def new_page(self, width: int = 1440, height: int = 900) -> Page:
        """A new tab, attached, with console and logs collected."""
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        page = Page(self, attached["sessionId"])
        self._pages[page.session] = page
        for domain in ("Page", "Runtime", "Log"):
            await page.send(f"{domain}.enable")
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        return page


class Page:
    """One tab: navigate, evaluate, click, screenshot; ``errors`` holds what its console reported as errors."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.errors: list[str] = []
        self._loaded = asyncio.Event()

    def on_event(self, method: str, params: JSON) -> None:
        """A CDP event of this tab."""
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(
                "console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append(
                "exception: " + str(details.get("exception", {}).get("description") or details)
            )
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}")
        elif method == "Page.loadEventFired":
            self._loaded.set()

    async def send(self, method: str, params: JSON | None = None) -> JSON:
        """A CDP command on this tab."""
        return await self.browser.send(method, params, self.session)

    async def goto(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self._loaded.clear()
        await self.send("Page.navigate", {"url": url})
        await asyncio.wait_for(self._loaded.wait(), 20)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises awaited); a thrown error fails the test."""
        result = await self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, timeout: float = 5.0, every: float = 0.02) -> Any:
        """Poll ``expression`` until it is truthy; its value. Times out with the last value in the message."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if loop.time() > deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {expression!r} (last: {value!r})"
                )
            await asyncio.sleep(every)

    async def click(self, selector: str) -> None:
        """Scroll ``selector`` into view and click its centre with the mouse (press and release)."""
        where = await self.evaluate(
            f"""(() => {{
                const el = document.querySelector({json.dumps(selector)});
                if (!el) return null;
                el.scrollIntoView({{block: "center"}});
                const r = el.getBoundingClientRect();
                return [r.left + r.width / 2, r.top + Math.min(r.height / 2, 12)];
            }})()"""
        )
        assert where is not None, f"nothing matches {selector!r}"
        x, y = where
        await self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}
            )

    async def screenshot(self, path: Path) -> Path:
        """The viewport as a PNG at ``path``."""
        shot = await self.send("Page.captureScreenshot", {"format": "png"})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium for the block's duration (a fresh, empty profile; killed at the end)."""
    assert CHROMIUM is not None
    # Chromium's helper processes may still be writing the profile while the browser exits: never fail on it.
    with tempfile.TemporaryDirectory(prefix="mockclaude-chromium-", ignore_cleanup_errors=True) as profile:
        process = await asyncio.create_subprocess_exec(
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the helpers end with it
        )
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            for _ in range(400):  # Chromium writes its port and browser path here once it listens
                if port_file.exists() and len(port_file.read_text().split()) == 2:
                    break
                await asyncio.sleep(0.05)
            port, path = port_file.read_text().split()
            async with (
                aiohttp.ClientSession() as http,
                http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0) as ws,
            ):
                browser = Browser(process, ws)
                try:
                    yield browser
                finally:
                    with contextlib.suppress(Exception):  # a graceful exit lets the helpers go too
                        await browser.send("Browser.close")
                    browser._reader.cancel()
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 5)
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(
                        process.pid, signal.SIGKILL
                    )  # the group this function started, and nothing else
                await process.wait()
