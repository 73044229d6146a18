"""Record spec-v0.3 AI events from the real RudderStack AI SDK into a JSONL fixture.

Everything runs on 127.0.0.1: a stand-in OpenAI-compatible model server, a stand-in
RudderStack data plane, and a scripted app that uses the real `openai` client wrapped by
the real `rudderstack-ai` integration and the real `rudder-sdk-python` client. Every
message the data plane receives is written, in receive order, to
`tests/fixtures/sdk_v0_3/messages.jsonl`.

How to run (Python 3.12 or later: `rudderstack-ai` needs it; the test suite does not):

    python3.12 -m venv /tmp/sdkvenv
    /tmp/sdkvenv/bin/pip install "rudderstack-ai==0.6.0" "rudder-sdk-python==2.1.9" "openai==3.57.0"
    /tmp/sdkvenv/bin/python scripts/record_sdk_events.py            # from the repository root
    /tmp/sdkvenv/bin/python scripts/record_sdk_events.py --out /tmp/messages.jsonl

No network is used: both servers listen on free ports of 127.0.0.1. Reruns give the same
event shapes, counts and property values; message ids, interaction ids, times and the
latency measurements differ. What each scenario does is listed in SCENARIOS below and in
`tests/fixtures/sdk_v0_3/README.md`.

What the stand-in data plane adds to each message: `receivedAt` (its own clock, RFC 3339
with milliseconds, like the gateway) and `sentAt` (copied from the batch envelope, where
`rudder-sdk-python` puts it, so the loader can apply clock-skew correction per message).
Nothing else is changed.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gzip
import itertools
import json
import logging
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any

if sys.version_info < (3, 12):  # pragma: no cover - guard for the wrong interpreter
    sys.exit("record_sdk_events.py needs Python 3.12+ (rudderstack-ai requires it); see its header")

import openai  # noqa: E402
import rudderstack.ai as rsai  # noqa: E402
from rudderstack.ai.openai import wrap_openai  # noqa: E402
from rudderstack.analytics.client import Client  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "tests" / "fixtures" / "sdk_v0_3" / "messages.jsonl"
WRITE_KEY = "stand-in-write-key"
BEHAVIOUR = "X-Stand-In-Behaviour"  # request header telling the stand-in model what to do
log = logging.getLogger("record_sdk_events")


# --------------------------------------------------------------------------- stand-in model server

SERVED_MODELS = {  # requested name -> dated snapshot the stand-in reports, as OpenAI does
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "o4-mini": "o4-mini-2025-04-16",
}

ANSWERS = [  # (keyword in the user's last message, answer)
    (
        "subject line",
        "Suggested subject: 'Launch deck: pricing review on Friday'.",
    ),
    (
        "refund",
        "I've started a refund for the damaged blender. You'll get an email once it is "
        "approved, usually within 3 business days, and the money goes back to your card.",
    ),
    (
        "where is my order",
        "Your order A-10023 left our warehouse yesterday and is due on Thursday. "
        "You can follow it from the Orders page.",
    ),
    (
        "late",
        "Sorry about the delay. Order A-10023 is held at the carrier's depot; I opened a "
        "high-priority ticket so the carrier re-routes it today.",
    ),
    (
        "cancel",
        "I can cancel the Pro plan at the end of this billing period. I need your "
        "confirmation before I go ahead.",
    ),
    (
        "rewrite",
        "Here is a friendlier version: 'Hi team, thanks for the quick turnaround on the launch "
        "deck. Could we review the pricing slide together on Friday?'",
    ),
    (
        "shorter",
        "Shorter: 'Thanks for the launch deck! Can we go over pricing on Friday?'",
    ),
    (
        "press release",
        "Acme today announced the Pro plan for teams, with shared workspaces, audit logs and "
        "single sign-on. The plan is available from today in all regions, priced per seat, "
        "with a free thirty-day trial for existing customers and volume discounts for teams "
        "of more than fifty people. Customers can upgrade from the billing page at any time.",
    ),
    (
        "webhook",
        "Webhooks are set up under Settings > Integrations. Add the endpoint URL, pick the "
        "events to send, and copy the signing secret to verify each delivery.",
    ),
    (
        "invoice",
        "I can see two charges for the March invoice. Billing will review it and reply by email.",
    ),
    (
        "password",
        "I've sent a password reset link to the email on file. It expires in 30 minutes.",
    ),
    (
        "weekly digest",
        "This week: 3 new tickets, 2 resolved, average first response 4 hours. "
        "No open escalations.",
    ),
    (
        "order a-10023",
        "Order A-10023: shipped, carrier depot, expected Thursday.",
    ),
]
DEFAULT_ANSWER = "Here is what I found in the help centre about that."

CLASSIFIER_MARK = "You label one turn"
CLASSIFIER_LABELS = [  # (keyword in the classified prompt, intent, outcome, summary); first wins
    # An intent outside the app's list: the SDK sends it as "other".
    ("retry", "integration_debugging", "unresolved", "The user asked about delivery retries."),
    ("refund", "refund_request", "partial", "The user asked for a refund of a damaged item."),
    ("where is my order", "order_status", "resolved", "The user asked where their order is."),
    ("late", "order_status", "escalated", "The user reported a late delivery."),
    ("rewrite", "writing_help", "resolved", "The user asked to rewrite a short message."),
    ("shorter", "writing_help", "resolved", "The user asked for a shorter version of a message."),
    ("webhook", "product_question", "resolved", "The user asked how to set up webhooks."),
    ("invoice", "billing_dispute", "unresolved", "The user reported a double charge."),
    ("password", "account_access", "resolved", "The user could not sign in to their account."),
]


def _last_user_text(messages: Any) -> str:
    if isinstance(messages, str):
        return messages
    for message in reversed(messages or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


def _answer(text: str) -> str:
    lowered = text.lower()
    return next((answer for key, answer in ANSWERS if key in lowered), DEFAULT_ANSWER)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _prompt_tokens(messages: Any) -> int:
    if isinstance(messages, str):
        return 9 + _tokens(messages)
    total = 9
    for message in messages or []:
        content = message.get("content") if isinstance(message, dict) else None
        total += 4 + _tokens(content if isinstance(content, str) else json.dumps(content))
    return total


def _cached_tokens(messages: Any) -> int:
    """Follow-up requests resend the conversation: its prefix is served from the prompt cache."""
    if isinstance(messages, str):
        return 0
    assistants = sum(
        1 for m in messages or [] if isinstance(m, dict) and m.get("role") == "assistant"
    )
    return 32 * assistants


class StandInModel(ThreadingHTTPServer):
    """An OpenAI-compatible server answering `/v1/chat/completions` and `/v1/responses`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ModelHandler)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _ModelHandler(BaseHTTPRequestHandler):
    server: StandInModel

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("model: " + format, *args)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        behaviour = self.headers.get(BEHAVIOUR, "answer")
        try:
            if behaviour == "slow":  # longer than the client's timeout
                time.sleep(2.0)
            if behaviour == "error_500":
                time.sleep(0.05)
                return self._json(
                    500,
                    _error(
                        "The server had an error processing your request.", "server_error", None
                    ),
                )
            if behaviour == "rate_limit":
                time.sleep(0.02)
                return self._json(
                    429,
                    _error(
                        "Rate limit reached for gpt-4.1-mini on tokens per min (TPM).",
                        "tokens",
                        "rate_limit_exceeded",
                    ),
                )
            if self.path.endswith("/chat/completions"):
                return self._chat(body, behaviour)
            if self.path.endswith("/responses"):
                return self._responses(body)
            return self._json(404, _error("Unknown path", "invalid_request_error", None))
        except (BrokenPipeError, ConnectionResetError):  # the client went away (timeout, cancel)
            return None

    # -- chat completions

    def _chat(self, body: dict[str, Any], behaviour: str) -> None:
        n = self.server.next_id()
        messages = body.get("messages") or []
        requested = str(body.get("model") or "gpt-4.1-mini")
        served = SERVED_MODELS.get(requested, requested)
        system = (
            messages[0].get("content", "")
            if messages and messages[0].get("role") == "system"
            else ""
        )
        tool_calls: list[dict[str, Any]] = []
        finish = "stop"
        if isinstance(system, str) and system.startswith(CLASSIFIER_MARK):
            text = _classification(messages[-1].get("content", ""))
            time.sleep(0.03)
        elif behaviour == "tool_calls" and not any(m.get("role") == "tool" for m in messages):
            tool_calls = _tool_calls(n, body.get("tools") or [])
            text = None
            finish = "tool_calls"
            time.sleep(0.09)
        else:
            text = _answer(_last_user_text(messages))
            if behaviour == "length":
                text = text[:160]
                finish = "length"
            time.sleep(0.06)
        reasoning = 64 if requested.startswith("o") else 0
        usage = {
            "prompt_tokens": _prompt_tokens(messages),
            "completion_tokens": (_tokens(text) if text else 18 * max(1, len(tool_calls)))
            + reasoning,
            "prompt_tokens_details": {"cached_tokens": _cached_tokens(messages), "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": reasoning,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return self._stream(
                n, served, text or "", finish, usage if include_usage else None, behaviour
            )
        message: dict[str, Any] = {
            "role": "assistant",
            "content": text,
            "refusal": None,
            "annotations": [],
        }
        if tool_calls:
            message["tool_calls"] = tool_calls
        return self._json(
            200,
            {
                "id": f"chatcmpl-standin{n:04d}",
                "object": "chat.completion",
                "created": 1767225600 + n,
                "model": served,
                "choices": [
                    {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
                ],
                "usage": usage,
                "service_tier": "default",
                "system_fingerprint": "fp_standin",
            },
        )

    def _stream(
        self,
        n: int,
        served: str,
        text: str,
        finish: str,
        usage: dict[str, Any] | None,
        behaviour: str,
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        base = {
            "id": f"chatcmpl-standin{n:04d}",
            "object": "chat.completion.chunk",
            "created": 1767225600 + n,
            "model": served,
            "service_tier": "default",
            "system_fingerprint": "fp_standin",
        }

        def send(choices: list[dict[str, Any]], **extra: Any) -> None:
            chunk = {**base, "choices": choices, **extra}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        pause = 0.05 if behaviour == "slow_stream" else 0.015
        time.sleep(0.18)  # time to first token
        send([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        for piece in re.findall(r"\S+\s*", text):
            send([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
            time.sleep(pause)
        send([{"index": 0, "delta": {}, "finish_reason": finish}])
        if usage is not None:
            send([], usage=usage)
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    # -- responses API

    def _responses(self, body: dict[str, Any]) -> None:
        n = self.server.next_id()
        requested = str(body.get("model") or "o4-mini")
        served = SERVED_MODELS.get(requested, requested)
        source = body.get("input")
        text = _answer(_last_user_text(source))
        reasoning = 128 if requested.startswith("o") else 0
        output_tokens = _tokens(text) + reasoning
        input_tokens = _prompt_tokens(source) + (9 if body.get("instructions") else 0)
        time.sleep(0.11)
        self._json(
            200,
            {
                "id": f"resp_standin{n:04d}",
                "object": "response",
                "created_at": 1767225600 + n,
                "status": "completed",
                "model": served,
                "output": [
                    {"type": "reasoning", "id": f"rs_standin{n:04d}", "summary": []},
                    {
                        "type": "message",
                        "id": f"msg_standin{n:04d}",
                        "status": "completed",
                        "role": "assistant",
                        "content": [{"type": "output_text", "text": text, "annotations": []}],
                    },
                ],
                "usage": {
                    "input_tokens": input_tokens,
                    "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens": output_tokens,
                    "output_tokens_details": {"reasoning_tokens": reasoning},
                    "total_tokens": input_tokens + output_tokens,
                },
                "error": None,
                "incomplete_details": None,
                "instructions": body.get("instructions"),
                "metadata": {},
                "parallel_tool_calls": True,
                "temperature": 1.0,
                "tool_choice": "auto",
                "tools": [],
                "top_p": 1.0,
                "text": {"format": {"type": "text"}},
                "service_tier": "default",
            },
        )


def _error(message: str, kind: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _tool_calls(n: int, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    arguments = {
        "lookup_order": {"order_id": "A-10023"},
        "create_ticket": {"order_id": "A-10023", "priority": "high", "topic": "late_delivery"},
        "cancel_subscription": {"plan": "pro", "when": "period_end"},
    }
    calls = []
    for i, tool in enumerate(tools, start=1):
        name = tool.get("function", {}).get("name", "unknown")
        calls.append(
            {
                "id": f"call_standin{n:04d}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments.get(name, {}))},
            }
        )
    return calls


def _classification(turn: str) -> str:
    """The classifier's JSON reply for one fenced turn (keywords in the user prompt decide)."""
    match = re.search(r"<user_prompt>(.*?)</user_prompt>", turn, re.S)
    prompt = (match.group(1) if match else turn).lower()
    for key, intent, outcome, summary in CLASSIFIER_LABELS:
        if key in prompt:
            return json.dumps({"intent": intent, "outcome": outcome, "intent_summary": summary})
    return json.dumps(
        {
            "intent": "product_question",
            "outcome": "unclear",
            "intent_summary": "The user asked a question.",
        }
    )


# --------------------------------------------------------------------------- stand-in data plane


class StandInDataPlane(ThreadingHTTPServer):
    """Accepts rudder-sdk-python's `/v1/batch` POSTs and keeps every message, in receive order."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _DataPlaneHandler)
        self.messages: list[dict[str, Any]] = []
        self.batches = 0
        self.lock = threading.Lock()
        self.stall_next_batch = (
            0.0  # seconds to hold the next response (the client times out, resends)
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _received_at() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class _DataPlaneHandler(BaseHTTPRequestHandler):
    server: StandInDataPlane

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("data plane: " + format, *args)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        expected = "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
        if self.path.rstrip("/") != "/v1/batch" or self.headers.get("Authorization") != expected:
            self.send_response(401 if self.path.rstrip("/") == "/v1/batch" else 404)
            self.end_headers()
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        payload = json.loads(raw)
        received_at = _received_at()
        with self.server.lock:
            self.server.batches += 1
            for message in payload.get("batch") or []:
                record = dict(message)
                if "sentAt" not in record and payload.get("sentAt"):
                    record["sentAt"] = payload["sentAt"]
                record["receivedAt"] = received_at
                self.server.messages.append(record)
            stall, self.server.stall_next_batch = self.server.stall_next_batch, 0.0
        if stall:
            time.sleep(stall)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            data = b"OK"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)


# --------------------------------------------------------------------------- the scripted app


def _cookie(value: Any) -> str:
    """A RudderStack JavaScript SDK v3 cookie value (`RS_ENC_v3_` + base64 of the JSON)."""
    return "RS_ENC_v3_" + base64.b64encode(json.dumps(value).encode()).decode()


def _browser_cookies(anonymous_id: str, session_id: int) -> str:
    session = {"id": session_id, "expiresAt": session_id + 4 * 3600 * 1000, "timeout": 1800000}
    return f"rl_anonymous_id={_cookie(anonymous_id)}; rl_session={_cookie(session)}"


SUPPORT_SYSTEM = (
    "You are Acme's support assistant. Answer briefly, use the tools for order data, and never "
    "promise refunds without a ticket."
)
WRITER_SYSTEM = "You are a writing assistant. Keep the user's meaning; improve tone and clarity."

SUPPORT_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Find an order by id.",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "create_ticket",
            "description": "Open a support ticket.",
            "parameters": {
                "type": "object",
                "properties": {
                    "order_id": {"type": "string"},
                    "priority": {"type": "string"},
                    "topic": {"type": "string"},
                },
            },
        },
    },
]
CANCEL_TOOL = [
    {
        "type": "function",
        "function": {
            "name": "cancel_subscription",
            "description": "Cancel the customer's plan (needs their approval).",
            "parameters": {"type": "object", "properties": {"plan": {"type": "string"}}},
        },
    }
]

# Personal data planted in the captured conversation: it must arrive masked.
PLANTED_EMAIL = "dana.whitfield@example.com"
PLANTED_PHONE = "+1 415 555 0134"


def _evaluate(turn: rsai.EvaluationTurn) -> dict[str, Any] | None:
    """A deterministic code evaluator: scores every answer whose prompt has an even length."""
    if not turn.answer or len(turn.prompt or "") % 2:
        return None
    score = round(0.55 + (len(turn.answer) % 40) / 100, 2)
    return {
        "evaluation_name": "groundedness",
        "evaluator": "code",
        "score_value": score,
        "score_label": "grounded" if score >= 0.7 else "partially_grounded",
        "sampled": True,
    }


@dataclass
class Scenario:
    key: str
    description: str
    run: Callable[[App], None]


class App:
    """The scripted product: a support assistant, a writing assistant and a docs search."""

    def __init__(self, model: StandInModel, plane: StandInDataPlane) -> None:
        self.plane = plane
        self.llm = wrap_openai(
            openai.OpenAI(base_url=model.url, api_key="test", max_retries=0, timeout=5.0)
        )
        # The browser's session began ten minutes before the run (epoch milliseconds).
        self.session_started = (int(time.time()) - 600) * 1000
        self.interactions: dict[str, str] = {}  # scenario label -> interaction id

    def flush(self) -> None:
        if not rsai.flush(timeout=10):
            raise RuntimeError("flush did not finish")

    def chat(
        self, messages: list[dict[str, Any]], *, model: str = "gpt-4.1-mini", **kwargs: Any
    ) -> Any:
        behaviour = kwargs.pop("behaviour", None)
        if behaviour:
            kwargs["extra_headers"] = {BEHAVIOUR: behaviour}
        return self.llm.chat.completions.create(model=model, messages=messages, **kwargs)

    def stream_text(self, stream: Any, stop_after: int | None = None) -> str:
        parts = []
        for i, chunk in enumerate(stream):
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
            if stop_after is not None and i + 1 >= stop_after:
                break  # the user pressed "stop generating"
        return "".join(parts)

    # -- conversation 1: support assistant, signed-in web user with browser cookies

    def support_context(self) -> contextlib.AbstractContextManager[Any]:
        return rsai.ai_context(
            user_id="usr_1042",
            conversation_id="conv_support_1042_a",
            feature="support_assistant",
            surface="web",
            account_id="acct_acme_eu",
            cookies=_browser_cookies(
                "anon-7d1e2c9a-5b44-4f0e-9a51-0c3f6b2d8e11", self.session_started
            ),
        )

    def order_status(self) -> None:
        with self.support_context():
            question = "Where is my order A-10023? It was due yesterday."
            with rsai.ai_interaction(intent="order_status", input_method="text") as interaction:
                self.chat(
                    [
                        {"role": "system", "content": SUPPORT_SYSTEM},
                        {"role": "user", "content": question},
                    ]
                )
                interaction.set_outcome("resolved")
            self.interactions["order_status"] = interaction.id
            self.flush()  # the rating below must be the first feedback value the warehouse sees
            rsai.track_action(
                "feedback_given",
                interaction_id=interaction.id,
                action_details={"feedback_type": "rating", "feedback_value": 4},
            )
            rsai.track_action("copied_response", interaction_id=interaction.id)
            self.flush()
            # The same user then also clicks thumbs up: a boolean into the rating's int column.
            rsai.track_action(
                "feedback_given",
                interaction_id=interaction.id,
                action_details={"feedback_type": "thumbs", "feedback_value": True},
            )
        self.flush()

    def late_delivery_with_tools(self) -> None:
        rsai.configure(emit_llm_calls=True)  # per-call rows for this interaction only
        try:
            with self.support_context():
                messages: list[dict[str, Any]] = [
                    {"role": "system", "content": SUPPORT_SYSTEM},
                    {
                        "role": "user",
                        "content": "My parcel is late again, can you chase the carrier?",
                    },
                ]
                with rsai.ai_interaction(
                    input_method="text",
                    tool_breakdown=True,
                    trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
                ) as interaction:
                    first = self.chat(messages, tools=SUPPORT_TOOLS, behaviour="tool_calls")
                    calls = first.choices[0].message.tool_calls or []
                    messages.append(first.choices[0].message.model_dump(exclude_none=True))
                    for call in calls:
                        started = time.perf_counter()
                        result = self.run_tool(call.function.name)
                        interaction.record_tool_result(
                            call.id,
                            error=False,
                            duration_ms=(time.perf_counter() - started) * 1000,
                            result=result,
                        )
                        messages.append(
                            {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}
                        )
                    self.chat(messages, tools=SUPPORT_TOOLS)
                    interaction.set_outcome("escalated")
                self.interactions["late_delivery"] = interaction.id
                self.flush()
                rsai.track_action(
                    "clicked_through",
                    interaction_id=interaction.id,
                    action_details={"card_kind": "ticket_card", "target_type": "support_ticket"},
                )
            self.flush()
        finally:
            rsai.configure(emit_llm_calls=False)

    def run_tool(self, name: str) -> dict[str, Any]:
        if name == "lookup_order":
            # A sub-agent summarises the carrier's tracking history: a chained background task.
            with rsai.ai_task("carrier-tracking-summary", feature="support_assistant"):
                self.chat(
                    [
                        {
                            "role": "user",
                            "content": "Summarise the tracking events of order A-10023.",
                        }
                    ],
                    model="gpt-4.1-nano",
                )
            return {"order_id": "A-10023", "status": "held_at_depot", "eta": "Thursday"}
        time.sleep(0.02)
        return {"ticket_id": "T-88412", "priority": "high"}

    def refund_streaming(self) -> None:
        with self.support_context():
            with rsai.ai_interaction(intent="refund_request", input_method="text") as interaction:
                stream = self.chat(
                    [
                        {"role": "system", "content": SUPPORT_SYSTEM},
                        {"role": "user", "content": "The blender arrived broken. I want a refund."},
                    ],
                    stream=True,
                )
                self.stream_text(stream)
            self.flush()
            rsai.track_action(
                "feedback_given",
                interaction_id=interaction.id,
                action_details={"feedback_type": "rating", "feedback_value": 2},
            )
            self.flush()
            rsai.track_action("feedback_retracted", interaction_id=interaction.id)
        self.flush()

    def cancel_needs_approval(self) -> None:
        with (
            self.support_context(),
            rsai.ai_interaction(intent="cancel_subscription", input_method="text") as interaction,
        ):
            self.chat(
                [
                    {"role": "system", "content": SUPPORT_SYSTEM},
                    {"role": "user", "content": "Please cancel my Pro subscription."},
                ],
                tools=CANCEL_TOOL,
                behaviour="tool_calls",
            )
            # The agent waits for the user to approve the cancellation: the answer is paused.
            interaction.end(status="paused", pause_reason="approval")
        self.flush()

    def weekly_digest_task(self) -> None:
        with (
            rsai.ai_context(account_id="acct_acme_eu"),
            rsai.ai_task(
                "weekly-account-digest",
                on_behalf_of="usr_1042",
                trigger_source="schedule",
                feature="account_digest",
                surface="email",
            ) as run,
        ):
            self.chat([{"role": "user", "content": "Write the weekly digest for the account."}])
            run.set_outcome("resolved")
        self.flush()

    # -- conversation 2: writing assistant, signed-in user, server-side only (no cookies)

    def writer_context(self) -> contextlib.AbstractContextManager[Any]:
        return rsai.ai_context(
            user_id="usr_2077",
            conversation_id="conv_writer_2077_a",
            feature="writing_assistant",
            surface="web",
        )

    def rewrite_and_regenerate(self) -> None:
        draft = "rewrite this so it sounds nicer: thx for deck, pricing slide is wrong, fix by fri"
        with self.writer_context():
            with rsai.ai_interaction(input_method="text") as first:
                self.stream_text(
                    self.chat(
                        [
                            {"role": "system", "content": WRITER_SYSTEM},
                            {"role": "user", "content": draft},
                        ],
                        stream=True,
                    )
                )
            self.flush()
            rsai.track_action("regenerated", interaction_id=first.id)
            self.flush()
            with rsai.ai_interaction(input_method="text") as second:
                self.chat(
                    [
                        {"role": "system", "content": WRITER_SYSTEM},
                        {"role": "user", "content": draft},
                    ],
                    model="gpt-4.1",
                )
            self.flush()
            rsai.track_action("edited", interaction_id=second.id)
            rsai.track_action("accepted", interaction_id=second.id)
            self.flush()
            # A title suggestion the app requests on its own: no interaction, no prompt event.
            self.chat(
                [{"role": "user", "content": "Suggest a subject line for this message: " + draft}],
                model="gpt-4.1-nano",
            )
        self.flush()

    def truncated_answer(self) -> None:
        with self.writer_context():
            with rsai.ai_interaction(input_method="text") as interaction:
                self.chat(
                    [
                        {"role": "system", "content": WRITER_SYSTEM},
                        {
                            "role": "user",
                            "content": "Draft a press release for the Pro plan launch.",
                        },
                    ],
                    max_completion_tokens=40,
                    behaviour="length",
                )
            self.flush()
            rsai.track_action("rejected", interaction_id=interaction.id)
        self.flush()

    # -- conversation 3: docs search, anonymous visitor identified by the browser's cookies

    def docs_context(self) -> contextlib.AbstractContextManager[Any]:
        return rsai.ai_context(
            conversation_id="conv_docs_anon_a",
            feature="docs_search",
            surface="web",
            cookies=_browser_cookies(
                "anon-2c5e8f10-93a7-4d2b-b6f4-71e0d9a4c3b8", self.session_started + 4000
            ),
        )

    def docs_reasoning_with_attachment(self) -> None:
        with (
            self.docs_context(),
            rsai.ai_interaction(
                input_method="text", attachment_count=2, attachment_types=["pdf", "image", "pdf"]
            ),
        ):
            self.llm.responses.create(
                model="o4-mini",
                instructions="Answer from the attached API guide.",
                input="How do I set up a webhook for order events?",
            )
        self.flush()

    def rate_limited_then_retried(self) -> None:
        rsai.configure(emit_llm_calls=True)
        try:
            with self.docs_context():
                messages = [
                    {"role": "user", "content": "Does the webhook retry failed deliveries?"}
                ]
                with rsai.ai_interaction(input_method="text") as interaction:
                    try:
                        self.chat(messages, behaviour="rate_limit")
                    except openai.RateLimitError:
                        time.sleep(0.2)  # the app's own retry, inside the same answer
                        self.chat(messages)
                self.flush()
                rsai.track_action(
                    "feedback_given",
                    interaction_id=interaction.id,
                    action_details={"feedback_type": "thumbs", "feedback_value": False},
                )
            self.flush()
        finally:
            rsai.configure(emit_llm_calls=False)

    def stopped_stream(self) -> None:
        """A route streams the answer to the browser, which goes away mid-answer."""
        question = "Explain webhooks in detail, with every event type."

        def response_body() -> Iterator[str]:
            stream = self.chat(
                [{"role": "user", "content": question}], stream=True, behaviour="slow_stream"
            )
            try:
                for chunk in stream:
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content
            finally:
                stream.close()

        with self.docs_context():
            with rsai.ai_interaction(input_method="text") as interaction:
                body = interaction.bind(response_body())  # the interaction ends with the body
            for i, _ in enumerate(body):  # the web server sends the body...
                if i == 3:
                    break  # ...until the user presses "stop generating"
            body.close()
        self.flush()

    # -- conversation 4: support on mobile, content capture on, personal data in the prompt

    def mobile_context(self) -> contextlib.AbstractContextManager[Any]:
        return rsai.ai_context(
            user_id="usr_3310",
            conversation_id="conv_support_3310_a",
            feature="support_assistant",
            surface="mobile",
            context={"app": {"name": "Acme Support", "version": "4.2.0"}, "locale": "en-GB"},
        )

    def captured_with_personal_data(self) -> None:
        rsai.configure(capture_content=True)  # this conversation's text is captured (masked)
        try:
            prompt = (
                f"I can't log in, password reset never arrives. My email is {PLANTED_EMAIL} "
                f"and my phone is {PLANTED_PHONE}."
            )
            with self.mobile_context():
                with rsai.ai_interaction(input_method="voice", prompt_text=prompt) as interaction:
                    reply = self.chat(
                        [
                            {"role": "system", "content": SUPPORT_SYSTEM},
                            {"role": "user", "content": prompt},
                        ]
                    )
                    interaction.end(response_text=reply.choices[0].message.content)
                self.flush()
                # The data plane is slow to acknowledge this batch: the client times out and
                # sends it again, so these messages arrive twice (at-least-once delivery).
                self.plane.stall_next_batch = 1.6
                rsai.track_action(
                    "feedback_given",
                    interaction_id=interaction.id,
                    action_details={
                        "feedback_type": "rating",
                        "feedback_value": 1,
                        "feedback_text": (
                            f"Still nothing. Write to {PLANTED_EMAIL} or call {PLANTED_PHONE}"
                        ),
                    },
                )
                rsai.track_action("shared", interaction_id=interaction.id)
                self.flush()
                rsai.track_action("reported", interaction_id=interaction.id)
            self.flush()
        finally:
            rsai.configure(capture_content=False)

    def server_error(self) -> None:
        with (
            self.mobile_context(),
            contextlib.suppress(openai.InternalServerError),
            rsai.ai_interaction(input_method="text"),
        ):
            self.chat(
                [{"role": "user", "content": "I was charged twice for the March invoice."}],
                behaviour="error_500",
            )
        self.flush()

    def timed_out(self) -> None:
        with (
            self.mobile_context(),
            contextlib.suppress(openai.APITimeoutError),
            rsai.ai_interaction(input_method="text"),
        ):
            self.llm.with_options(timeout=0.4).chat.completions.create(
                model="gpt-4.1-mini",
                messages=[{"role": "user", "content": "Is there an outage right now?"}],
                extra_headers={BEHAVIOUR: "slow"},
            )
        self.flush()

    def human_review(self) -> None:
        """A support lead scores the first answer in the QA tool, which captures reviewer notes."""
        rsai.configure(capture_content=True)  # the explanation is sent only with capture on
        try:
            rsai.track_score(
                interaction_id=self.interactions["order_status"],
                conversation_id="conv_support_1042_a",
                evaluation_name="helpfulness",
                evaluator="human",
                score_value=4,
                score_label="helpful",
                user_id="usr_1042",
                feature="support_assistant",
                trigger="user",
                explanation=f"Right ETA. The customer also asked us to write to {PLANTED_EMAIL}.",
            )
            self.flush()
        finally:
            rsai.configure(capture_content=False)


SCENARIOS = [
    Scenario(
        "order_status",
        "support, usr_1042 (web, cookies): app-set intent and outcome; "
        "rating 4, copy, then thumbs up",
        App.order_status,
    ),
    Scenario(
        "late_delivery_tools",
        "support, usr_1042: two tool calls, a chained sub-agent task, per-call rows and "
        "tool_breakdown on, a declared tool event, trace_id; click-through on the ticket card",
        App.late_delivery_with_tools,
    ),
    Scenario(
        "refund_streaming",
        "support, usr_1042: streamed answer (time to first token), app-set intent; "
        "rating 2 then retracted",
        App.refund_streaming,
    ),
    Scenario(
        "cancel_paused",
        "support, usr_1042: a tool call that needs the user's approval, ended paused",
        App.cancel_needs_approval,
    ),
    Scenario(
        "weekly_digest_task",
        "background task on behalf of usr_1042 (trigger system, anonymousId ai_system)",
        App.weekly_digest_task,
    ),
    Scenario(
        "rewrite_regenerate",
        "writing, usr_2077 (server side): streamed draft, regenerated on gpt-4.1, "
        "edited and accepted; a wrapped call outside any interaction",
        App.rewrite_and_regenerate,
    ),
    Scenario(
        "truncated_answer",
        "writing, usr_2077: answer cut at the token limit (incomplete / length); rejected",
        App.truncated_answer,
    ),
    Scenario(
        "docs_reasoning_attachment",
        "docs search, anonymous visitor (cookies): Responses API, reasoning model, "
        "two attachment kinds",
        App.docs_reasoning_with_attachment,
    ),
    Scenario(
        "rate_limited_retry",
        "docs search, anonymous: HTTP 429 then a successful retry in one answer, "
        "per-call rows on; thumbs down",
        App.rate_limited_then_retried,
    ),
    Scenario(
        "stopped_stream",
        "docs search, anonymous: a route streams the answer through bind() and the browser "
        "goes away (cancelled, client_disconnected)",
        App.stopped_stream,
    ),
    Scenario(
        "captured_personal_data",
        "support, usr_3310 (mobile, app context): content capture on, email and phone in "
        "the prompt and feedback text; rating 1 with text, share, report; "
        "one batch delivered twice",
        App.captured_with_personal_data,
    ),
    Scenario(
        "server_error",
        "support, usr_3310: HTTP 500 from the model (error / api_error)",
        App.server_error,
    ),
    Scenario("timed_out", "support, usr_3310: the model call times out (timeout)", App.timed_out),
    Scenario(
        "human_review",
        "a human score (4 on a 1-5 scale) with a captured, masked explanation for the "
        "order-status answer, through track_score",
        App.human_review,
    ),
]


@contextlib.contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def record(out: Path) -> list[tuple[Scenario, Counter[str]]]:
    model, plane = StandInModel(), StandInDataPlane()
    errors: list[str] = []
    with serving(model), serving(plane):
        rudder = Client(
            write_key=WRITE_KEY,
            host=plane.url,
            upload_interval=0.05,
            upload_size=100,
            timeout=1,
            max_retries=3,
            gzip=True,
        )
        rsai.configure(
            analytics=rudder,
            prices={
                "gpt-4.1": {
                    "input_per_mtok": 2.00,
                    "output_per_mtok": 8.00,
                    "cached_input_per_mtok": 0.50,
                },
                "gpt-4.1-mini": {
                    "input_per_mtok": 0.40,
                    "output_per_mtok": 1.60,
                    "cached_input_per_mtok": 0.10,
                },
                "gpt-4.1-nano": {
                    "input_per_mtok": 0.10,
                    "output_per_mtok": 0.40,
                    "cached_input_per_mtok": 0.025,
                },
                # o4-mini is deliberately not priced: its answers arrive without a cost.
            },
            classifier={
                "client": openai.OpenAI(base_url=model.url, api_key="test"),
                "model": "gpt-4.1-nano",
                "intents": [
                    "order_status",
                    "refund_request",
                    "writing_help",
                    "product_question",
                    "account_access",
                ],
                "intent_summary": True,
            },
            evaluator=_evaluate,
            event_rules={
                "tools": {
                    "create_ticket": rsai.ToolRule(
                        event="Support Ticket Created",
                        properties=lambda args, result: {
                            "priority": (args or {}).get("priority"),
                            "ticketId": (result or {}).get("ticket_id"),
                        },
                    )
                }
            },
            on_error=lambda error, info: errors.append(
                f"{info['kind']} at {info['where']}: {error!r}"
            ),
            flush_on_exit=False,
        )
        app = App(model, plane)
        summary = []
        for scenario in SCENARIOS:
            before = len(plane.messages)
            scenario.run(app)
            app.flush()
            events = Counter(m.get("event", m.get("type")) for m in plane.messages[before:])
            summary.append((scenario, events))
        rsai.configure(analytics=None, classifier=None, evaluator=None, event_rules=None)
        rudder.shutdown()
        messages = list(plane.messages)
    if errors:
        raise RuntimeError("the SDK reported contained errors:\n" + "\n".join(errors))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for message in messages:
            handle.write(json.dumps(message, ensure_ascii=False) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSONL file to write")
    parser.add_argument("--verbose", action="store_true", help="log the servers' requests")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(name)s: %(message)s"
    )
    summary = record(args.out)
    total = Counter[str]()
    print(
        f"rudderstack-ai {version('rudderstack-ai')}, "
        f"rudder-sdk-python {version('rudder-sdk-python')}, "
        f"openai {version('openai')}, Python {sys.version.split()[0]}"
    )
    for scenario, events in summary:
        total.update(events)
        counts = ", ".join(f"{name} {n}" for name, n in sorted(events.items()))
        print(f"{scenario.key}: {sum(events.values())} messages ({counts})")
    print(f"total: {sum(total.values())} messages -> {args.out}")
    for name, n in sorted(total.items()):
        print(f"  {name}: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
