"""``python -m tests.benchmarks.bots echo|kring API_URL DATABASE_URL``: one bot in a process of its
own, polling a fake Bot API until SIGTERM; prints ``ready`` once it polls. The echo bot imports
nothing of Kring, so its memory and CPU are python-telegram-bot's alone."""

from __future__ import annotations

import asyncio
import signal
import sys

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

TOKEN = "123456:sandbox-token-for-the-fake-telegram-api"  # the sandbox's (not imported: it loads Kring)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("echo")


def echo_bot(api_url: str) -> Application:  # type: ignore[type-arg]
    application = Application.builder().token(TOKEN).base_url(f"{api_url}/bot").build()
    for command in ("start", "help", "privacy"):
        application.add_handler(CommandHandler(command, _echo))
    return application


def kring_bot(api_url: str, database_url: str) -> Application:  # type: ignore[type-arg]
    from tests.benchmarks.world import application_for  # Kring is loaded only for Kring

    return application_for(database_url, api_url, tick_seconds=None)


async def serve(bot: str, api_url: str, database_url: str) -> None:
    application = echo_bot(api_url) if bot == "echo" else kring_bot(api_url, database_url)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        print("ready", flush=True)
        await stop.wait()
        await application.updater.stop()
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


if __name__ == "__main__":
    asyncio.run(serve(*sys.argv[1:4]))
