"""A small Anthropic-compatible upstream on loopback for the record/replay tests.

Messages answers are compact JSON, as the real API's; the other routes answer with aiohttp's ``json_response``
(``json.dumps`` with spaces), whose exact bytes a recording must keep too. It answers what no mock would invent (ids, text and usage of its own), checks the key (only ``UPSTREAM_KEY`` is
accepted), names its organisation in a header and in a 429's message, and streams with real pauses, so a
recording that replays it offline can only have come from it.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import orjson
from aiohttp import web

UPSTREAM_KEY = "sk-ant-upstream-0123456789abcdefSECRET"
ORG_ID = "c0ffee00-0rg5-4ecr-e7a1-0000deadbeef"
PAUSE = 0.04  # seconds between streamed deltas


def _error(status: int, kind: str, message: str, **extra: str) -> web.Response:
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_up_error"}
    headers = {"anthropic-organization-id": ORG_ID, "content-type": "application/json", **extra}
    return web.Response(body=orjson.dumps(body), status=status, headers=headers)  # compact, as the real API


def _last_text(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content if b.get("type") == "text")


class Upstream:
    """The upstream's state: how many requests it saw, per route."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._ids = itertools.count(1)
        self._flaked = False

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/messages", self.messages)
        app.router.add_post("/v1/messages/count_tokens", self.count_tokens)
        app.router.add_get("/v1/models", self.models)
        app.router.add_post("/v1/messages/batches", self.create_batch)
        app.router.add_get("/v1/messages/batches/{id}", self.get_batch)
        return app

    def _authorized(self, request: web.Request) -> bool:
        self.seen.append(f"{request.method} {request.path}")
        bearer = request.headers.get("authorization", "")
        return request.headers.get("x-api-key") == UPSTREAM_KEY or bearer == f"Bearer {UPSTREAM_KEY}"

    def _headers(self, n: int) -> dict[str, str]:
        return {
            "anthropic-organization-id": ORG_ID,
            "request-id": f"req_up_{n:04d}",
            "set-cookie": "session=s3cr3t",
        }

    async def messages(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return _error(401, "authentication_error", "invalid x-api-key")
        body = await request.json()
        text = _last_text(body)
        if "flaky" in text and not self._flaked:  # overloaded once: the SDK's retry gets the answer
            self._flaked = True
            return _error(529, "overloaded_error", "Overloaded", **{"retry-after-ms": "1"})
        if "rate" in text:
            return _error(429, "rate_limit_error", f"Number of requests exceeded (organization {ORG_ID})")
        n = next(self._ids)
        answer = f"Upstream answer #{n} to: {text[::-1]}"
        message: dict[str, Any] = {
            "id": f"msg_upstream_{n:04d}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": answer}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 4000 + n, "output_tokens": 40 + n},
        }
        if body.get("thinking", {}).get("type") == "enabled":
            thinking = {
                "type": "thinking",
                "thinking": f"Thinking {n}",
                "signature": f"UPSTREAM-SIG-{n}-" + "x" * 40,
            }
            message["content"].insert(0, thinking)
        if not body.get("stream"):
            return web.Response(
                body=orjson.dumps(message), content_type="application/json", headers=self._headers(n)
            )
        response = web.StreamResponse(headers={**self._headers(n), "content-type": "text/event-stream"})
        await response.prepare(request)

        async def send(kind: str, data: dict[str, Any]) -> None:
            await response.write(
                b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, **data}) + b"\n\n"
            )

        start = {
            **message,
            "content": [],
            "stop_reason": None,
            "usage": {"input_tokens": 4000 + n, "output_tokens": 1},
        }
        await send("message_start", {"message": start})
        for index, block in enumerate(message["content"]):
            if block["type"] == "thinking":
                await send(
                    "content_block_start",
                    {"index": index, "content_block": {**block, "thinking": "", "signature": ""}},
                )
                await send(
                    "content_block_delta",
                    {"index": index, "delta": {"type": "thinking_delta", "thinking": block["thinking"]}},
                )
                await send(
                    "content_block_delta",
                    {"index": index, "delta": {"type": "signature_delta", "signature": block["signature"]}},
                )
            else:
                await send(
                    "content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}}
                )
                await send("ping", {})
                for word in answer.split(" "):
                    await asyncio.sleep(PAUSE)
                    await send(
                        "content_block_delta",
                        {"index": index, "delta": {"type": "text_delta", "text": word + " "}},
                    )
            await send("content_block_stop", {"index": index})
        await send(
            "message_delta",
            {"delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 40 + n}},
        )
        await send("message_stop", {})
        await response.write_eof()
        return response

    async def count_tokens(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _error(401, "authentication_error", "invalid x-api-key")
        return web.json_response({"input_tokens": 777}, headers={"anthropic-organization-id": ORG_ID})

    async def models(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _error(401, "authentication_error", "invalid x-api-key")
        data = [
            {
                "type": "model",
                "id": "claude-upstream-9",
                "display_name": "Upstream 9",
                "created_at": "2026-12-01T00:00:00Z",
            }
        ]
        page = {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[0]["id"]}
        return web.json_response(page, headers={"anthropic-organization-id": ORG_ID})

    async def create_batch(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _error(401, "authentication_error", "invalid x-api-key")
        body = await request.json()
        return web.json_response(
            self._batch(len(body["requests"]), "in_progress"), headers={"anthropic-organization-id": ORG_ID}
        )

    async def get_batch(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _error(401, "authentication_error", "invalid x-api-key")
        polls = sum(1 for s in self.seen if s.startswith("GET /v1/messages/batches/"))
        status = "ended" if polls >= 2 else "in_progress"
        return web.json_response(self._batch(1, status), headers={"anthropic-organization-id": ORG_ID})

    @staticmethod
    def _batch(count: int, status: str) -> dict[str, Any]:
        done = status == "ended"
        return {
            "id": "msgbatch_upstream_1",
            "type": "message_batch",
            "processing_status": status,
            "request_counts": {
                "processing": 0 if done else count,
                "succeeded": count if done else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "ended_at": "2026-12-01T00:01:00Z" if done else None,
            "created_at": "2026-12-01T00:00:00Z",
            "expires_at": "2026-12-02T00:00:00Z",
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": None,
        }
