"""The one place the python-telegram-bot ``Application`` is built.

Tests, the demo and ``kring run`` all come through :func:`build_application`; tests and the demo
point it at the fake Bot API (``KRING_TELEGRAM_API_URL``) and give it a simulated clock.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import AIORateLimiter, Application, BaseUpdateProcessor, ContextTypes

from bot import texts
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import crypto, migrate
from bot.db.session import create_engine, create_read_sessionmaker, create_sessionmaker
from bot.handlers import register
from bot.handlers.intake import SkippingUpdatesRequest
from bot.handlers.menu import register_menus
from bot.logs import hold_library_loggers
from bot.messages.renderers import RENDERERS
from bot.metrics import Metrics, OrderedUpdateProcessor
from bot.runtime import KringApplication, KringContext, Runtime, runtime_of
from bot.services import follow_up, retention, workers
from scheduler import planner
from scheduler.pause import TelegramPause
from scheduler.sender import Sender
from scheduler.ticker import Ticker

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    update_processor: BaseUpdateProcessor | None = None,
    tick_seconds: float | None = 5.0,
) -> KringApplication:
    """Build the bot. The schema is upgraded and the menus are registered when it starts.

    ``tick_seconds`` is how often (real time) the scheduler wakes up; ``None`` leaves ticking to
    the caller (tests and the demo, which move a simulated clock). Every bot waits out
    Telegram's 429s on its own clock; only a real-time bot is also paced by PTB's rate limiter: its
    limits are real seconds, which would merely stall a simulated week.
    """
    hold_library_loggers()
    texts.configure(settings.organisation_contact)
    crypto.use_key(settings.key())
    builder = (
        Application.builder()
        .token(settings.require_token())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=KringContext))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    clock = clock or SystemClock()
    metrics = Metrics()
    # One pause after a 429 for every request (replies, edits, files, the outbox), on Kring's clock.
    # Telegram allows about 30 messages a second: paced evenly (a bucket of one, refilled 29 times a
    # second), since a burst of 30 on top of a full second's worth is what earns a 429.
    pacing = AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 29) if tick_seconds is not None else None
    pause = TelegramPause(clock, pacing=pacing, on_429=metrics.telegram_429.inc)
    builder.rate_limiter(pause)  # (the builder's methods set and return the builder itself)
    builder.get_updates_request(SkippingUpdatesRequest(metrics))  # an unreadable update is skipped, not looped on
    # Chats in parallel, each chat and person in order (the tests pass a subclass that also tracks).
    processor = update_processor or OrderedUpdateProcessor(running=settings.concurrent_updates)
    if isinstance(processor, OrderedUpdateProcessor) and processor.metrics is None:
        processor.metrics = metrics
    builder.concurrent_updates(processor)
    application: KringApplication = builder.build()
    engine = engine or create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    worker = workers.new_name()
    sender = Sender(
        application.bot,
        sessions,
        clock,
        RENDERERS,
        pause=pause,
        default_language=settings.default_language,
        default_tz=settings.timezone,
        name=worker,
    )

    async def plan() -> None:
        async with sessions.begin() as session:
            await workers.beat(session, worker, now=clock.now())
        # in chunks, each its own transaction: a big morning never holds the write lock for long
        await planner.plan_all_due(sessions, now=clock.now(), default_tz=settings.timezone)
        async with sessions.begin() as session:
            await follow_up.run_due(session, now=clock.now())
        metrics.last_tick.set(clock.now().timestamp())

    async def send() -> None:
        metrics.count_send_report(await sender.send_due())

    application.bot_data["runtime"] = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        sender=sender,
        ticker=Ticker(
            clock,
            [plan, send, retention.DailyPurge(sessions, clock, settings.retention_months)],
            interval_seconds=tick_seconds or 0,
        ),
        metrics=metrics,
        worker=worker,
        reads=create_read_sessionmaker(engine),
    )
    register(application)
    return application


async def _post_init(application: KringApplication) -> None:
    runtime = runtime_of(application)
    await migrate.upgrade(runtime.engine)
    await register_menus(application)
    await runtime.sender.recover()
    if runtime.ticker.interval_seconds:
        runtime.ticker.start()
    settings = runtime.settings
    if settings.http_port is not None and not application.bot_data.get("webhook"):  # /healthz and /metrics
        from bot import web

        application.bot_data["http"] = await web.start(
            application, host=settings.http_host, port=settings.http_port, webhook_secret=None
        )
    log.info("kring started", extra={"bot_id": application.bot.id, "worker": runtime.worker})


async def _post_stop(application: KringApplication) -> None:
    runtime = runtime_of(application)
    await runtime.ticker.stop()
    await runtime.sender.step_down()  # another process sends the outbox from its next tick


async def _post_shutdown(application: KringApplication) -> None:
    if (renderer := application.bot_data.pop("renderer", None)) is not None:  # plan_pictures' worker processes
        await renderer.close()
    if (http := application.bot_data.pop("http", None)) is not None:
        await http.cleanup()
    await runtime_of(application).engine.dispose()
