"""What comes in from Telegram under hostile or odd input: an update Kring cannot read, a webhook
body that is not an update, the same update twice, knocking without the secret, edited messages;
and what a person is told when the database is down."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot import web
from bot.db.session import create_sessionmaker
from bot.handlers.intake import ALLOWED_UPDATES
from bot.logs import hold_library_loggers
from bot.services import people
from sandbox.fake_telegram import FakeUser
from sandbox.harness import Sandbox
from tests.journey import register_professional

SECRET = "a-secret-token-only-telegram-knows"
NAME, TEXT, TOKEN = "Fatimazahra", "Het gaat slecht met onze zoon", "QmFzZTY0SW52aXRlVG9rZW4tZ2VoZWlt"


def _unreadable(user: FakeUser) -> dict[str, Any]:
    """A message as a newer Bot API might send it: a name, a text and an invite token, and a field
    python-telegram-bot 22 cannot read (here: the date)."""
    message = user._message_json(user.private_chat, f"/start {TOKEN} {TEXT}", None)
    message["date"] = "tomorrow"
    return {"message": message}


def _skipped(metrics_owner: Sandbox, reason: str) -> float:
    return metrics_owner.runtime.metrics.updates_skipped.labels(reason=reason)._value.get()


def _leaks(records: list[logging.LogRecord]) -> list[str]:
    """Every log line (message, fields, traceback) that holds the name, the text or the token."""
    found = []
    for record in records:
        line = logging.Formatter().format(record) + " " + " ".join(str(v) for v in vars(record).values())
        if any(secret in line for secret in (NAME, TEXT, TOKEN)):
            found.append(line[:200])
    return found


async def test_an_unreadable_update_in_polling_is_skipped_by_its_id(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hold_library_loggers()  # (as Kring's own logging set-up does)
    fatima = sandbox.user(1, NAME)
    fatima.private_chat.started = True
    bad = await sandbox.telegram.push_update(_unreadable(fatima))
    await sandbox.telegram.settle(bad)  # an empty stand-in with its id went through: the offset moved on
    (reply,) = await fatima.send("/help")  # and the next update is handled
    assert reply.text.startswith("Dit kun je doen:")
    assert fatima.telegram.messages_in(1) == [reply]  # the unreadable /start did nothing

    skipped = [r for r in caplog.records if r.getMessage() == "update skipped: it could not be read"]
    assert [getattr(r, "update_id", None) for r in skipped] == [bad]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert _leaks(caplog.records) == []
    assert _skipped(sandbox, "unreadable") == 1

    # A batch with readable updates around the unreadable one: the others are all handled.
    before = len(sandbox.telegram.messages_in(1))
    first = await sandbox.telegram.push_update({"message": fatima._message_json(fatima.private_chat, "/help", None)})
    await sandbox.telegram.push_update(_unreadable(fatima))
    await fatima.send("/privacy")
    await sandbox.telegram.settle(first)
    assert len(sandbox.telegram.messages_in(1)) == before + 2  # /help and /privacy, around the unreadable one
    assert _skipped(sandbox, "unreadable") == 2


def test_library_loggers_never_quote_what_telegram_sent(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    hold_library_loggers()
    batch = [{"update_id": 9, "message": {"text": TEXT, "from": {"first_name": NAME}}}]
    logging.getLogger("telegram.Bot").critical("Error while parsing updates! Received data was %r", batch)
    logging.getLogger("telegram.Bot").debug("Calling Bot API endpoint `%s` with parameters `%s`", "x", batch)
    logging.getLogger("telegram.request.BaseRequest").error('Can not load invalid JSON data: "%s"', TEXT)
    try:
        raise ValueError(f"invalid literal for int() with base 10: {NAME!r}")
    except ValueError:
        logging.getLogger("telegram.ext.Updater").exception("Something went wrong processing the data")
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /telegram?%s"', TOKEN)
    assert _leaks(caplog.records) == []
    assert len(caplog.records) == 3  # the library's lines are kept, without what they quoted


async def _post(url: str, body: bytes, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json", **({web.SECRET_HEADER: secret} if secret else {})}
    async with aiohttp.ClientSession() as client, client.post(url, data=body, headers=headers) as response:
        return response.status


async def _webhook(sandbox: Sandbox, port: int) -> tuple[web.web.AppRunner, str]:
    runner = await web.start(sandbox.app, host="127.0.0.1", port=port, webhook_secret=SECRET)
    return runner, f"http://127.0.0.1:{port}{web.WEBHOOK_PATH}"


def _as_json(update: dict[str, Any]) -> bytes:
    return json.dumps(update).encode()


async def test_malformed_webhook_bodies_get_400_without_an_error(
    sandbox: Sandbox, unused_tcp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    runner, url = await _webhook(sandbox, unused_tcp_port)
    fatima = sandbox.user(1, NAME)
    fatima.private_chat.started = True
    try:
        bad_message = _unreadable(fatima) | {"update_id": 77_001}
        for body in (
            b"[]",
            b"null",
            b'"hello"',
            b"{}",
            b"not json at all",
            b"\xff\xfe",
            b'{"update_id": "12"}',
            b'{"update_id": true, "message": null}',
            b'{"update_id": 77000, "message": "a message that is a string"}',
            b'{"update_id": 77002, "message": {"message_id": [[[[1]]]]}}',
            b"[" * 50_000 + b"]" * 50_000,  # too deeply nested for any JSON reader
            b'{"update_id": 77003, "message": ' + b'{"a": ' * 20_000 + b"1" + b"}" * 20_001,
            _as_json(bad_message),
        ):
            assert await _post(url, body) == 400, body[:40]
        update = {"update_id": 77_010, "message": fatima._message_json(fatima.private_chat, "/help", None)}
        assert await _post(url, _as_json(update)) == 200  # and a good one after them is handled
        assert (await sandbox.telegram.wait_for_message(1)).text.startswith("Dit kun je doen:")
    finally:
        await runner.cleanup()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    ids = [getattr(r, "update_id", None) for r in caplog.records if r.getMessage().startswith("update skipped")]
    assert 77_000 in ids and 77_001 in ids
    assert _leaks(caplog.records) == []


async def test_the_same_update_id_is_handled_once(sandbox: Sandbox, unused_tcp_port: int) -> None:
    runner, url = await _webhook(sandbox, unused_tcp_port)
    lina = sandbox.user(31, "Lina")
    lina.private_chat.started = True
    telegram = sandbox.telegram
    try:
        # the id Telegram gives the next update, posted to the webhook twice (Telegram's retry, or a
        # replay) and then fetched by polling as well
        same = telegram._last_ids["update"] + 1
        privacy = {"update_id": same, "message": lina._message_json(lina.private_chat, "/privacy", None)}
        assert await _post(url, _as_json(privacy)) == 200
        assert await _post(url, _as_json(privacy)) == 200  # 200: Telegram need not send it again
        assert await telegram.push_update({"message": privacy["message"]}) == same
        (*_, reply) = await lina.send("/help")  # handled after the others (one at a time, in order)
        assert reply.text.startswith("Dit kun je doen:")
        assert len(telegram.messages_in(31)) == 2  # /privacy answered once, and /help
    finally:
        await runner.cleanup()
    assert _skipped(sandbox, "duplicate") == 2


async def test_refused_webhook_calls_are_counted_and_logged_once_a_minute(
    sandbox: Sandbox, unused_tcp_port: int, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(web, "monotonic", lambda: now[0])
    runner, url = await _webhook(sandbox, unused_tcp_port)
    lina = sandbox.user(31, "Lina")
    lina.private_chat.started = True
    body = _as_json({"update_id": 6_001, "message": lina._message_json(lina.private_chat, "/help", None)})
    try:
        with caplog.at_level(logging.INFO, logger="bot.web"):
            for _ in range(50):
                assert await _post(url, body, secret=None) == 403
            assert await _post(url, body, secret="guess") == 403
            now[0] += 59
            assert await _post(url, body, secret="guess") == 403
            now[0] += 2  # a minute after the first line
            assert await _post(url, body, secret="guess") == 403
    finally:
        await runner.cleanup()
    lines = [r for r in caplog.records if "refused" in r.getMessage()]
    assert [getattr(r, "count", None) for r in lines] == [1, 52]
    assert sandbox.runtime.metrics.webhook_refused._value.get() == 53
    assert "kring_webhook_refused_total 53.0" in sandbox.runtime.metrics.exposition().decode()
    await asyncio.sleep(0.1)
    assert sandbox.telegram.messages_in(31) == []


async def test_an_edited_message_changes_nothing(sandbox: Sandbox, unused_tcp_port: int) -> None:
    telegram = sandbox.telegram
    fatima = sandbox.user(1, NAME)
    (plan,) = await fatima.send("/plan")
    assert telegram.allowed_updates == list(ALLOWED_UPDATES)  # Kring asks for messages and presses only
    await fatima.edit_last("/plan")  # editing /plan does not send the plan again
    (help_,) = await fatima.send("/help")
    assert [m.text for m in telegram.messages_in(1)] == [plan.text, help_.text]

    # In a flow, an edit of the last answer is not the answer to the next step.
    anna = sandbox.user(2, "Anna")
    await register_professional(sandbox, anna)
    await anna.send("/new")
    (question,) = await anna.send("Gezin Jansen")
    before = len(telegram.messages_in(2))
    await anna.edit_last("Gezin Pietersen")
    await anna.press(question, "Nederlands")
    await anna.press(question, "3 maanden (tip)")
    await anna.press(question, "Overslaan")
    await anna.press(question, "Maak de kring")
    assert question.text.startswith("De kring Gezin Jansen is klaar.")
    assert len(telegram.messages_in(2)) == before

    # Even an edit that reaches Kring (a webhook set up with every kind of update) is ignored.
    runner, url = await _webhook(sandbox, unused_tcp_port)
    try:
        edited = {"update_id": 8_001, "edited_message": fatima._message_json(fatima.private_chat, "/plan", None)}
        edited["edited_message"]["edit_date"] = edited["edited_message"]["date"]
        assert await _post(url, _as_json(edited)) == 200
        privacy = {"update_id": 8_002, "message": fatima._message_json(fatima.private_chat, "/privacy", None)}
        assert await _post(url, _as_json(privacy)) == 200
        reply = await telegram.wait_for_message(1, after=help_.message_id)
        assert reply.text != plan.text
    finally:
        await runner.cleanup()
    assert _skipped(sandbox, "not_handled") == 1


async def test_a_press_during_a_database_outage_says_it_was_not_saved(sandbox: Sandbox, tmp_path: Path) -> None:
    sanne = sandbox.user(21, "Sanne")
    (question,) = await sanne.send("/quiet")
    runtime = sandbox.runtime
    working = runtime.sessions
    (tmp_path / "not-a-folder").write_text("")
    down = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/not-a-folder/kring.sqlite3")  # cannot be opened
    runtime.sessions, sandbox.telegram.after_update = create_sessionmaker(down), None
    try:
        await sanne.press(question, "21:00 tot 07:00")
    finally:
        runtime.sessions, sandbox.telegram.after_update = working, sandbox.tick_if_due
        await down.dispose()
    told = sandbox.telegram.messages_in(sanne.id)[-1].text
    assert told.startswith("Sorry, dat kon ik nu niet opslaan") and "nog een keer" in told
    assert "kwijtgeraakt" not in told
    async with working() as session:
        person = await people.find(session, sanne.id)
        assert person is not None and person.quiet_from is None  # indeed not saved

    await sanne.press(question, "21:00 tot 07:00")  # the second try, once the database is back
    assert question.text.startswith("Goed. Van 21:00 tot 07:00 stuur ik je niets.")
