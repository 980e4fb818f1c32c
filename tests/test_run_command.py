"""``kring run`` as an administrator starts it: a separate process, long polling the (fake) Bot API."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.cli import build_parser
from bot.i18n import gettext, use_language
from sandbox.fake_telegram import FakeTelegram

TOKEN = "987654:RunCommandTestTokenRunCommandTestToken"


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(TOKEN) as fake:
        yield fake


async def _start_kring(telegram: FakeTelegram, tmp_path: Path, token: str = TOKEN) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}
    env.update(
        KRING_BOT_TOKEN=token,
        KRING_TELEGRAM_API_URL=telegram.url,
        KRING_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/kring.sqlite3",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _wait_while_waking_pollers(telegram: FakeTelegram, process: asyncio.subprocess.Process) -> bytes:
    """A stopping bot finishes its last long poll first; end that poll instead of waiting it out."""
    finished = asyncio.ensure_future(process.communicate())
    async with asyncio.timeout(30):
        while not finished.done():
            telegram.wake_pollers()
            await asyncio.wait([finished], timeout=0.1)
    return finished.result()[1]


async def test_kring_run_answers_start_in_each_persons_language(telegram: FakeTelegram, tmp_path: Path) -> None:
    process = await _start_kring(telegram, tmp_path)
    try:
        anouk = telegram.user(11, "Anouk", language_code="nl")
        james = telegram.user(12, "James", language_code="en")
        await anouk.send("/start")
        await james.send("/start")
        dutch = await telegram.wait_for_message(11, timeout=30)
        english = await telegram.wait_for_message(12, timeout=30)
        assert dutch.text.startswith("Hallo! Ik ben Kring.")
        assert english.text.startswith("Hello! I am Kring.")
    finally:
        process.send_signal(signal.SIGTERM)
        stderr = await _wait_while_waking_pollers(telegram, process)
    assert process.returncode == 0, stderr.decode()
    assert TOKEN.split(":")[1] not in stderr.decode()


async def test_kring_run_with_a_token_telegram_does_not_know(telegram: FakeTelegram, tmp_path: Path) -> None:
    process = await _start_kring(telegram, tmp_path, token="111111:ThisTokenIsNotKnownToTheFakeTelegramApi")
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines()[-1].startswith("Telegram kent dit token niet (KRING_BOT_TOKEN).")
    assert "Traceback" not in stderr.decode()


async def _kring(telegram: FakeTelegram, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}
    env.update(
        KRING_BOT_TOKEN=TOKEN,
        KRING_TELEGRAM_API_URL=telegram.url,
        KRING_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/kring.sqlite3",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stdout.decode()


async def test_the_administrator_invites_lists_and_removes_professionals(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    status, out = await _kring(telegram, tmp_path, "professional", "invite", "Anna de Vries")
    assert status == 0
    first, link = out.strip().splitlines()
    assert first.startswith("Uitnodiging voor Anna de Vries (nummer 1).")
    assert re.fullmatch(r"https://t\.me/kring_test_bot\?start=[A-Za-z0-9_-]{43}", link)
    status, out = await _kring(telegram, tmp_path, "professional", "list")
    assert status == 0 and out.split("\t")[:3] == ["1", "Anna de Vries", "uitgenodigd"]
    status, out = await _kring(telegram, tmp_path, "professional", "remove", "1")
    assert status == 0 and out.startswith("Hulpverlener 1 is verwijderd.")
    status, out = await _kring(telegram, tmp_path, "professional", "remove", "99")
    assert status == 1 and out.startswith("Er is geen hulpverlener met nummer 99.")
    status, out = await _kring(telegram, tmp_path, "professional", "list")
    assert "verwijderd" in out


async def test_kring_run_with_a_webhook_takes_updates_only_with_the_secret(
    telegram: FakeTelegram, tmp_path: Path, unused_tcp_port: int
) -> None:
    secret = "webhook-secret-of-the-test-0123"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}
    env.update(
        KRING_BOT_TOKEN=TOKEN,
        KRING_TELEGRAM_API_URL=telegram.url,
        KRING_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/kring.sqlite3",
        KRING_WEBHOOK_URL="https://kring.example.org/telegram",
        KRING_WEBHOOK_SECRET=secret,
        KRING_HTTP_PORT=str(unused_tcp_port),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--webhook",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(30):
            while telegram.webhook is None:
                await asyncio.sleep(0.1)
        assert telegram.webhook == {"url": "https://kring.example.org/telegram", "secret_token": secret}
        anouk = telegram.user(11, "Anouk", language_code="nl")
        anouk.private_chat.started = True
        url = f"http://127.0.0.1:{unused_tcp_port}/telegram"

        async def post(headers: dict[str, str]) -> int:
            body = {"update_id": 1, "message": anouk._message_json(anouk.private_chat, "/start", None)}
            async with aiohttp.ClientSession() as client, client.post(url, json=body, headers=headers) as response:
                return response.status

        assert await post({}) == 403 and await post({"X-Telegram-Bot-Api-Secret-Token": "nope"}) == 403
        assert await post({"X-Telegram-Bot-Api-Secret-Token": secret}) == 200
        welcome = await telegram.wait_for_message(11, timeout=30)
        assert welcome.text.startswith("Hallo! Ik ben Kring.") and len(telegram.messages_in(11)) == 1
        async with (
            aiohttp.ClientSession() as client,
            client.get(f"http://127.0.0.1:{unused_tcp_port}/healthz") as response,
        ):
            assert response.status in (200, 503)  # (answers; the ticker may not have beaten yet)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()


@pytest.mark.parametrize("code", ["nl", "en", "ar"])
def test_help_speaks_the_administrators_language_throughout(code: str) -> None:
    """``kring --help`` and every command's ``--help``: argparse's own words too ("usage:",
    "options:", "show this help message") are in ``KRING_DEFAULT_LANGUAGE``."""
    with use_language(code):
        parser = build_parser()
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        pages = [parser.format_help(), *(p.format_help() for p in commands.choices.values())]
        expected = gettext("Gebruik:")
    for page in pages:
        assert page.startswith(expected)
        for english in ("usage:", "options:", "positional arguments", "show this help message", "subcommands:"):
            assert english not in page  # argparse's own words (a translation may say "Usage:")
    if code != "nl":
        assert expected != "Gebruik:"  # translated, not the Dutch source
