"""Running like a service: several processes sharing one outbox, the webhook with its secret
token, /healthz, /metrics, `kring health` and JSON logs."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from bot import web
from bot.app import build_application
from bot.clock import SimulatedClock
from bot.config import Settings
from bot.db import outbox
from bot.db.models import Delivery, DeliveryStatus, Worker
from bot.db.session import SessionMaker
from bot.logs import json_formatter
from bot.messages.renderers import RENDERERS
from bot.runtime import runtime_of
from bot.services import workers
from sandbox.fake_telegram import FakeTelegram
from sandbox.harness import SANDBOX_TOKEN, Sandbox
from scheduler.sender import Rendered, Sender
from tests.conftest import START, TEST_KEY

pytestmark = pytest.mark.both_databases  # depends on the database engine

CHAT = 4242
SECRET = "a-secret-token-only-telegram-knows"


async def _note(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    return Rendered(f"bericht {delivery.payload['n']}")


async def _queue(sessions: SessionMaker, clock: SimulatedClock, count: int) -> None:
    async with sessions.begin() as session:
        for n in range(count):
            await outbox.enqueue(
                session,
                key=f"note:{n}",
                kind="note",  # type: ignore[arg-type]  # a kind of the test's own
                chat_id=CHAT,
                due_at=clock.now(),
                now=clock.now(),
                payload={"n": n},
            )


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(SANDBOX_TOKEN) as fake:
        fake.user(CHAT, "Ontvanger")
        fake.chats[CHAT].started = True
        yield fake


async def test_two_processes_send_every_delivery_exactly_once(sessions: SessionMaker, telegram: FakeTelegram) -> None:
    clock = SimulatedClock(START)  # a weekday morning: no quiet hours, whatever the real time
    await _queue(sessions, clock, 120)
    bots = [Bot(SANDBOX_TOKEN, base_url=f"{telegram.url}/bot") for _ in range(2)]
    senders = [
        Sender(
            bot,
            sessions,
            clock,
            {"note": _note},  # type: ignore[dict-item]
            default_language="nl",
            default_tz=clock.now().tzinfo,  # type: ignore[arg-type]
            batch_size=7,
            name=name,
        )
        for bot, name in zip(bots, ("host-a:1:aa", "host-b:2:bb"), strict=True)
    ]
    async with bots[0], bots[1]:
        reports = await asyncio.gather(*(sender.send_due() for sender in senders))
    texts = Counter(m.text for m in telegram.messages_in(CHAT))
    assert len(texts) == 120 and set(texts.values()) == {1}  # none lost, none doubled
    assert sum(r.sent for r in reports) == 120
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == DeliveryStatus.SENT)
            )
            == 120
        )


async def test_a_live_claim_is_never_taken_and_a_dead_ones_is_once_no_send_can_be_on_its_way(
    sessions: SessionMaker, telegram: FakeTelegram
) -> None:
    clock = SimulatedClock(START)  # a weekday morning: no quiet hours, whatever the real time
    await _queue(sessions, clock, 3)
    async with sessions.begin() as session:  # process A claims, then (say) dies
        assert len(await outbox.claim_due(session, now=clock.now(), limit=10, by="host-a:1:aa")) == 3
    bot = Bot(SANDBOX_TOKEN, base_url=f"{telegram.url}/bot")
    b = Sender(
        bot,
        sessions,
        clock,
        {"note": _note},  # type: ignore[dict-item]
        default_language="nl",
        default_tz=clock.now().tzinfo,  # type: ignore[arg-type]
        name="host-b:2:bb",
    )
    async with bot:
        assert (await b.send_due()).sent == 0  # A's claims still hold: B keeps its hands off
        clock.advance(outbox.SEND_TIME - timedelta(seconds=1))
        assert (await b.send_due()).sent == 0  # (a send of A's could still be on its way)
        clock.advance(timedelta(seconds=1))
        assert (await b.send_due()).sent == 3  # none can be now: B, the sender, sends them
    assert len(telegram.messages_in(CHAT)) == 3


async def _post(url: str, body: object, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as client, client.post(url, json=body, headers=headers or {}) as response:
        return response.status


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, await response.text()


async def test_the_webhook_takes_only_updates_with_the_secret_token(sandbox: Sandbox, unused_tcp_port: int) -> None:
    application = sandbox.app
    runner = await web.start(application, host="127.0.0.1", port=unused_tcp_port, webhook_secret=SECRET)
    telegram = sandbox.telegram
    user = sandbox.user(31, "Lina")
    user.private_chat.started = True
    url = f"http://127.0.0.1:{unused_tcp_port}{web.WEBHOOK_PATH}"

    def update(text: str) -> dict[str, object]:  # as Telegram would post it
        return {
            "update_id": 900_000 + len(telegram.calls),
            "message": user._message_json(user.private_chat, text, None),
        }

    try:
        assert await _post(url, update("/start")) == 403  # no token
        assert await _post(url, update("/start"), {web.SECRET_HEADER: "guess"}) == 403
        await asyncio.sleep(0.2)
        assert telegram.messages_in(31) == []  # refused updates are never handled
        assert await _post(url, update("/help"), {web.SECRET_HEADER: SECRET}) == 200
        reply = await telegram.wait_for_message(31)
        assert reply.text.startswith("Dit kun je doen:")
    finally:
        await runner.cleanup()


async def test_healthz_and_metrics(sandbox: Sandbox, unused_tcp_port: int) -> None:
    runner = await web.start(sandbox.app, host="127.0.0.1", port=unused_tcp_port, webhook_secret=None)
    base = f"http://127.0.0.1:{unused_tcp_port}"
    try:
        user = sandbox.user(32, "Sam")
        await user.send("/start")  # (each update ticks the scheduler: a heartbeat)
        status, body = await _get(f"{base}/healthz")
        report = json.loads(body)
        assert status == 200 and report["ok"] and report["database"] and report["outbox_depth"] == 0
        assert report["last_tick_age_seconds"] == 0
        assert await _post(f"{base}{web.WEBHOOK_PATH}", {}) == 404  # no webhook unless in webhook mode

        sandbox.clock.advance(timedelta(minutes=3))  # the scheduler falls silent ...
        status, body = await _get(f"{base}/healthz")
        assert status == 503 and json.loads(body)["last_tick_age_seconds"] == 180

        status, body = await _get(f"{base}/metrics")  # read with Prometheus' own parser
        families = {f.name: f for f in text_string_to_metric_families(body)}
        assert {
            "kring_deliveries_sent",
            "kring_deliveries_failed",
            "kring_deliveries_retried",
            "kring_outbox_depth",
            "kring_outbox_lag_seconds",
            "kring_telegram_errors",
            "kring_handler_latency_seconds",
        } <= set(families)
        assert status == 200 and families["kring_outbox_depth"].samples[0].value == 0
    finally:
        await runner.cleanup()


async def test_metrics_count_sends_and_telegram_errors(settings: Settings, telegram: FakeTelegram) -> None:
    clock = SimulatedClock(START)  # a weekday morning: no quiet hours, whatever the real time
    application = build_application(
        settings.with_overrides(bot_token=SANDBOX_TOKEN, telegram_api_url=telegram.url), clock=clock, tick_seconds=None
    )
    runtime = runtime_of(application)
    await application.initialize()
    try:
        await application.post_init(application)  # type: ignore[misc]
        runtime.sender.renderers = {**RENDERERS, "note": _note}  # type: ignore[dict-item]
        await _queue(runtime.sessions, clock, 3)
        telegram.fail_next("sendMessage", 502, "Bad Gateway")
        await runtime.ticker.tick()
        samples = {
            s.name: s.value
            for f in text_string_to_metric_families(runtime.metrics.exposition().decode())
            for s in f.samples
        }
        assert samples["kring_deliveries_sent_total"] == 2 and samples["kring_deliveries_retried_total"] == 1
        assert samples["kring_telegram_errors_total"] == 1
        async with runtime.sessions() as session:
            assert await session.scalar(select(Worker.name)) == runtime.worker  # the heartbeat
    finally:
        await application.post_shutdown(application)  # type: ignore[misc]
        await application.shutdown()


async def test_kring_health_from_another_process(database_url: str, tmp_path: Path, sessions: SessionMaker) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}

    def kring_health() -> tuple[int, dict[str, object]]:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "health"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**clean, "KRING_DATABASE_URL": database_url, "KRING_SECRET_KEY": TEST_KEY},
            cwd=tmp_path,
        )
        return result.returncode, json.loads(result.stdout.strip().splitlines()[-1])

    status, report = kring_health()
    assert status == 1 and report["database"] and report["last_tick_age_seconds"] is None  # no Kring is running
    async with sessions.begin() as session:
        await workers.beat(session, "host-a:1:aa", now=datetime.now(UTC))  # a Kring elsewhere just ticked
    status, report = kring_health()
    assert status == 0 and report["ok"] and report["outbox_depth"] == 0


def test_json_logs_are_one_object_a_line_with_ids_only() -> None:
    record = logging.LogRecord("bot.x", logging.INFO, "", 0, "delivery sent", None, None)
    record.delivery_id = 7
    line = json_formatter().format(record)
    assert json.loads(line) | {"asctime": None} == {
        "asctime": None,
        "level": "INFO",
        "name": "bot.x",
        "message": "delivery sent",
        "delivery_id": 7,
    }
