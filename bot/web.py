"""Kring's own small HTTP server (aiohttp): Telegram's webhook, ``/healthz`` and ``/metrics``.

- ``POST /telegram``: an update from Telegram, accepted only with the secret token Kring gave
  Telegram in ``setWebhook`` (the ``X-Telegram-Bot-Api-Secret-Token`` header, compared in
  constant time). Anything else gets 403 and is never handled.
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

from aiohttp import web
from telegram import Update

from bot import health
from bot.config import ConfigError, Settings
from bot.i18n import _
from bot.metrics import CONTENT_TYPE
from bot.runtime import KringApplication, runtime_of

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000
DEFAULT_PORT = 8080


def make_app(application: KringApplication, *, webhook_secret: str | None) -> web.Application:
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)

    async def telegram_update(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if webhook_secret is None or not hmac.compare_digest(given.encode(), webhook_secret.encode()):
            log.warning("webhook call without the right secret token refused")
            return web.Response(status=HTTPStatus.FORBIDDEN)
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        await application.update_queue.put(update)
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
            url=settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES
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
