"""Kring's own small HTTP server (aiohttp): Telegram's webhook, ``/healthz`` and ``/metrics``.

- ``POST /telegram``: an update from Telegram, accepted only with the secret token Kring gave
  Telegram in ``setWebhook`` (the ``X-Telegram-Bot-Api-Secret-Token`` header, compared in
  constant time). Anything else gets 403 and is never handled; refusals are counted
  (``kring_webhook_refused_total``) and logged at most once a minute. A body that is not an
  update Kring can read gets 400 (logged by its update id only); the same ``update_id`` twice is
  handled once (:mod:`bot.handlers.intake`).
- ``GET /healthz``: database reachable, the scheduler's last tick, outbox depth and lag, as JSON;
  503 when the database is unreachable or the scheduler has not ticked for too long.
- ``GET /metrics``: Prometheus text format.

Behind a reverse proxy that terminates TLS (see the README's production section).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from http import HTTPStatus
from time import monotonic

from aiohttp import web

from bot import health
from bot.config import ConfigError, Settings
from bot.handlers.intake import ALLOWED_UPDATES, Unreadable, note_skipped, read_update
from bot.i18n import _
from bot.metrics import CONTENT_TYPE, Metrics
from bot.runtime import KringApplication, runtime_of

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000
DEFAULT_PORT = 8080
#: At most one log line per this many seconds about refused webhook calls.
REFUSAL_LOG_SECONDS = 60.0


class _Refusals:
    """Webhook calls without the right secret: each is counted; the log gets at most one line a
    minute (with how many were refused), so nobody can grow the log by knocking."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.unlogged = 0
        self.logged_at: float | None = None

    def note(self) -> None:
        self.metrics.webhook_refused.inc()
        self.unlogged += 1
        now = monotonic()
        if self.logged_at is None or now - self.logged_at >= REFUSAL_LOG_SECONDS:
            log.warning("webhook calls without the right secret token refused", extra={"count": self.unlogged})
            self.logged_at, self.unlogged = now, 0


def make_app(application: KringApplication, *, webhook_secret: str | None) -> web.Application:
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)

    refusals = _Refusals(runtime_of(application).metrics)

    async def telegram_update(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if webhook_secret is None or not hmac.compare_digest(given.encode(), webhook_secret.encode()):
            refusals.note()
            return web.Response(status=HTTPStatus.FORBIDDEN)
        try:
            update = read_update(await request.json(), application.bot)
        except (ValueError, RecursionError):  # not JSON (too deeply nested counts as not JSON)
            note_skipped(runtime_of(application).metrics, None, how="webhook")
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        except Unreadable as unreadable:
            note_skipped(runtime_of(application).metrics, unreadable.update_id, how="webhook")
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        await application.update_queue.put(update)  # (a second update_id is let through once: see intake)
        return web.Response(status=HTTPStatus.OK)

    async def healthz(request: web.Request) -> web.Response:
        report = await health.check(runtime_of(application))
        return web.Response(
            status=HTTPStatus.OK if report.ok else HTTPStatus.SERVICE_UNAVAILABLE,
            text=json.dumps(report.as_dict()),
            content_type="application/json",
        )

    async def metrics(request: web.Request) -> web.Response:
        runtime = runtime_of(application)
        await health.check(runtime)  # brings the outbox gauges up to date
        return web.Response(body=runtime.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

    if webhook_secret is not None:
        app.router.add_post(WEBHOOK_PATH, telegram_update)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start(application: KringApplication, *, host: str, port: int, webhook_secret: str | None) -> web.AppRunner:
    runner = web.AppRunner(make_app(application, webhook_secret=webhook_secret), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("http server listening", extra={"host": host, "port": port, "webhook": webhook_secret is not None})
    return runner


async def run_webhook(application: KringApplication, settings: Settings) -> None:
    """``kring run --webhook``: tell Telegram where to send updates (with the secret token), serve
    them, /healthz and /metrics on one port, until SIGINT or SIGTERM; then stop cleanly."""
    if not settings.webhook_url or not settings.webhook_secret:
        raise ConfigError(
            "KRING_WEBHOOK_URL" if not settings.webhook_url else "KRING_WEBHOOK_SECRET",
            _("Voor --webhook zijn KRING_WEBHOOK_URL en KRING_WEBHOOK_SECRET nodig."),
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    application.bot_data["webhook"] = True
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(
            url=settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=ALLOWED_UPDATES
        )
        await application.start()
        runner = await start(
            application,
            host=settings.http_host,
            port=settings.http_port or DEFAULT_PORT,
            webhook_secret=settings.webhook_secret,
        )
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
