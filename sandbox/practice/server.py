"""The practice page's server: the Sandbox (real Kring, fake Telegram, simulated clock) and an
aiohttp app on loopback that shows each person's chat and lets the visitor act as them.

The page gets the whole state as JSON (after each action, and pushed by server-sent events while
the clock runs); every word on it comes from here, through gettext, in the visitor's language.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import string
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.clock import SimulatedClock
from bot.config import Settings
from bot.db import crypto
from bot.i18n import (
    _,
    available_languages,
    format_datetime,
    is_right_to_left,
    language_name,
    pgettext,
    resolve_language,
    use_language,
)
from sandbox.demo import DEMO_ORGANISATION, pass_time
from sandbox.fake_telegram import Event, FakeUser, SentMessage
from sandbox.harness import NOTHING_WAITS, Sandbox
from sandbox.practice.situations import (
    CAST,
    GROUP_ID,
    GROUP_MEMBERS,
    GROUP_ROLE,
    GROUP_TITLE,
    LINK,
    SITUATIONS,
    START,
    Circle,
)

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
DEFAULT_PORT = 8025
#: "To the next moment" goes on until something is sent, but no further than this.
LONGEST_WAIT = timedelta(weeks=8)
START_LINK = re.compile(r"(/start(?:@\w+)?) [A-Za-z0-9_-]+")


@dataclass
class Typed:
    """A message a person typed (the fake Telegram keeps only what the bot sent)."""

    chat_id: int
    message_id: int
    key: str
    text: str


class Practice:
    """One practice circle at a time; "start again" replaces it with a new one on a new database."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.lock = asyncio.Lock()
        self.sandbox: Sandbox | None = None
        self.circle: Circle | None = None
        self.situation = SITUATIONS[0].key
        self.typed: list[Typed] = []
        self.sent_at: dict[tuple[int, int], datetime] = {}
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._listeners: set[asyncio.Event] = set()
        self._by_name: dict[str, str] = {}

    async def begin(self, situation: str) -> None:
        """Stop the circle there is, and set up ``situation`` on a new database."""
        await self.close()
        self._folder = tempfile.TemporaryDirectory(prefix="kring-practice-")
        settings = self._settings.with_overrides(
            database_url=f"sqlite+aiosqlite:///{Path(self._folder.name) / 'practice.sqlite3'}",
            organisation_contact=self._settings.organisation_contact or DEMO_ORGANISATION,
            secret_key=crypto.new_key(),
        )
        self.sandbox = Sandbox(settings, SimulatedClock(START), bot_username="kring_oefen_bot")
        await self.sandbox.start()
        self.typed, self.sent_at = [], {}
        self.circle = Circle(self.sandbox)
        self._by_name = {person.name: key for key, person in self.circle.people.items()}
        self.sandbox.telegram.on_event = self._noted
        self.situation = next((s for s in SITUATIONS if s.key == situation), SITUATIONS[0]).key
        play = next(s.play for s in SITUATIONS if s.key == self.situation)
        await play(self.circle)
        self._changed()

    async def close(self) -> None:
        if self.sandbox is not None:
            await self.sandbox.stop()
            self.sandbox = self.circle = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    @property
    def ready(self) -> bool:
        return self.sandbox is not None and self.circle is not None

    # -- what happens -------------------------------------------------------------------------

    def _noted(self, event: Event) -> None:
        assert self.sandbox is not None and self.circle is not None
        telegram = self.sandbox.telegram
        if event.kind == "user" and event.actor in self._by_name:
            key = self._by_name[event.actor]
            sent = self.circle[key].last_sent.get(event.chat_id)
            if sent is not None:
                self.typed.append(Typed(event.chat_id, int(sent["message_id"]), key, event.text))
                self.sent_at[(event.chat_id, int(sent["message_id"]))] = self.sandbox.clock.now()
        elif event.kind == "bot":
            newest = telegram.messages_in(event.chat_id)[-1:]
            for message in newest:
                self.sent_at[(message.chat_id, message.message_id)] = self.sandbox.clock.now()
        self._changed()

    def _changed(self) -> None:
        for listener in self._listeners:
            listener.set()

    def listen(self) -> asyncio.Event:
        listener = asyncio.Event()
        self._listeners.add(listener)
        return listener

    def stop_listening(self, listener: asyncio.Event) -> None:
        self._listeners.discard(listener)

    # -- what people do -----------------------------------------------------------------------

    def person(self, key: str) -> FakeUser:
        assert self.circle is not None
        if key not in self.circle.people:
            raise web.HTTPBadRequest()
        return self.circle[key]

    def chat_of(self, column: str, actor: str | None) -> tuple[FakeUser, int]:
        """Who acts, and in which chat: a person in their own chat, or a member in the group."""
        if column == "group":
            if actor not in GROUP_MEMBERS:
                raise web.HTTPBadRequest()
            return self.person(actor), GROUP_ID
        person = self.person(column)
        return person, person.id

    async def send(self, column: str, actor: str | None, text: str) -> None:
        person, chat_id = self.chat_of(column, actor)
        text = text.strip()
        if not text:
            return
        assert self.circle is not None
        if chat_id == GROUP_ID:
            # Telegram opens a reply to the bot's question that asks for one (privacy mode lets
            # only replies, commands and mentions through to the bot).
            asking = [m for m in self.sandbox_telegram().messages_in(GROUP_ID) if m.force_reply]
            last = self.sandbox_telegram().messages_in(GROUP_ID)[-1:]
            reply_to = asking[-1] if asking and last and asking[-1] is last[0] else None
            await person.send(text, chat=self.circle.group, reply_to=reply_to)
        else:
            await person.send(text)

    async def press(self, column: str, actor: str | None, message_id: int, row: int, index: int) -> str | None:
        """Press a button, as the Telegram app would: a callback query with its data. Returns the
        short answer Kring gave (shown briefly), if any."""
        person, chat_id = self.chat_of(column, actor)
        message = self.sandbox_telegram().messages.get((chat_id, message_id))
        if message is None:
            raise web.HTTPNotFound()
        try:
            button = message.buttons[row][index]
        except IndexError:
            raise web.HTTPBadRequest() from None
        if "callback_data" not in button:
            raise web.HTTPBadRequest()
        answer = await person.press(message, str(button["text"]), data=str(button["callback_data"]))
        text = answer.get("text")
        return str(text) if text else None

    async def open_link(self, key: str, kind: str, token: str) -> None:
        """Someone opens a link Kring made: ``start`` in their own chat with Kring, ``startgroup``
        by adding Kring to the family's group."""
        person = self.person(key)
        assert self.circle is not None
        if kind == "startgroup":
            if key not in GROUP_MEMBERS:
                raise web.HTTPBadRequest()
            await person.add_bot_to_group(self.circle.group, token)
        elif kind == "start":
            await person.send(f"/start {token}")
        else:
            raise web.HTTPBadRequest()

    async def choose_language(self, key: str, code: str) -> None:
        """The person's Telegram app is set to ``code``; who already talks with Kring also picks it
        with Kring's own /language (Kring keeps the language a person started in)."""
        if code not in available_languages():
            raise web.HTTPBadRequest()
        person = self.person(key)
        person.info["language_code"] = code
        if person.private_chat.started:
            replies = await person.send("/language")
            for message in replies:
                for label in message.button_texts():
                    if label.lstrip("✓ ").removesuffix(" *") == language_name(code):
                        await person.press(message, label)
                        return

    async def move_clock(self, step: str) -> None:
        sandbox = self.sandbox
        assert sandbox is not None
        now = sandbox.clock.now()
        if step == "hour":
            await pass_time(sandbox, now + timedelta(hours=1))
        elif step == "week":
            await pass_time(sandbox, now + timedelta(weeks=1))
        elif step == "next":
            await self._to_next_moment(sandbox)
        else:
            raise web.HTTPBadRequest()

    async def _to_next_moment(self, sandbox: Sandbox) -> None:
        """Move to each moment the scheduler has work, until Kring sends someone something."""
        telegram = sandbox.telegram
        before = len(telegram.messages)
        until = sandbox.clock.now() + LONGEST_WAIT
        await sandbox.tick_if_due()
        while len(telegram.messages) == before and sandbox.clock.now() < until:
            wake = sandbox.next_wake
            if wake == NOTHING_WAITS:
                return
            await pass_time(sandbox, min(max(wake, sandbox.clock.now() + timedelta(minutes=1)), until))

    def sandbox_telegram(self) -> Any:
        assert self.sandbox is not None
        return self.sandbox.telegram

    # -- what the page shows ------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything the page shows, in the current language."""
        assert self.sandbox is not None and self.circle is not None
        sandbox = self.sandbox
        zone = sandbox.settings.timezone
        columns: list[dict[str, Any]] = []
        for role in CAST:
            person = self.circle[role.key]
            columns.append(
                {
                    "key": role.key,
                    "name": person.name,
                    "role": _(role.role),
                    "language": resolve_language(str(person.info.get("language_code") or "nl")),
                    "started": person.private_chat.started,
                    "messages": self._messages(person.id),
                }
            )
        columns.append(
            {
                "key": "group",
                "name": GROUP_TITLE,
                "role": _(GROUP_ROLE),
                "started": self.circle.group.bot_member,
                "members": [{"key": key, "name": self.circle[key].name} for key in GROUP_MEMBERS],
                "messages": self._messages(GROUP_ID),
            }
        )
        return {
            "situation": self.situation,
            "tip": _(next(s.tip for s in SITUATIONS if s.key == self.situation)),
            "now": format_datetime(sandbox.clock.now(), zone, format="EEEE d MMMM y, HH:mm"),
            "columns": columns,
        }

    def _messages(self, chat_id: int) -> list[dict[str, Any]]:
        assert self.sandbox is not None
        zone = self.sandbox.settings.timezone
        lines: list[tuple[int, dict[str, Any]]] = [
            (typed.message_id, {"id": typed.message_id, "from": typed.key, "text": _as_shown(typed.text)})
            for typed in self.typed
            if typed.chat_id == chat_id
        ]
        for message in self.sandbox.telegram.messages_in(chat_id):
            lines.append((message.message_id, self._bot_message(message)))
        for _id, line in lines:
            at = self.sent_at.get((chat_id, line["id"]))
            if at is not None:
                line["at"] = format_datetime(at, zone, format="EEE d MMM HH:mm")
        return [line for _id, line in sorted(lines, key=lambda pair: pair[0])]

    def _bot_message(self, message: SentMessage) -> dict[str, Any]:
        data: dict[str, Any] = {"id": message.message_id, "from": "bot", "text": message.text}
        data["buttons"] = [
            [{"text": str(b["text"]), "url": b.get("url")} if "url" in b else {"text": str(b["text"])} for b in row]
            for row in message.buttons
        ]
        address = f"/file/{message.chat_id}/{message.message_id}"
        if message.photo is not None:
            data["photo"] = address
        if message.document is not None:
            data["document"] = {"name": message.document[0], "url": address}
        return data

    def file(self, chat_id: int, message_id: int) -> web.Response:
        assert self.sandbox is not None
        message = self.sandbox.telegram.messages.get((chat_id, message_id))
        if message is None:
            raise web.HTTPNotFound()
        if message.photo is not None:
            kind = "image/png" if message.photo.startswith(b"\x89PNG") else "image/jpeg"
            return web.Response(body=message.photo, content_type=kind)
        if message.document is not None:
            name, content = message.document
            safe = "".join(c for c in name if c.isalnum() or c in "._-") or "kring"
            return web.Response(
                body=content,
                content_type="application/octet-stream",
                headers={"Content-Disposition": f'attachment; filename="{safe}"'},
            )
        raise web.HTTPNotFound()


def _as_shown(text: str) -> str:
    """Telegram shows a link's ``/start`` without the code the link carried."""
    opened = START_LINK.fullmatch(text)
    return opened.group(1) if opened else text


def page_language(request: web.Request) -> str:
    """The visitor's language: chosen on the page (``?lang=``), else the browser's first one Kring has."""
    chosen = request.query.get("lang")
    if chosen in available_languages():
        return str(chosen)
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip()
        if code and resolve_language(code, "") in available_languages():
            return resolve_language(code)
    return "nl"


def words() -> dict[str, Any]:
    """Every word the page's script shows, in the current language."""
    return {
        "send": pgettext("button", "Versturen"),
        "start": pgettext("button", "Start"),
        "message": _("Schrijf een bericht"),
        "language": _("Taal"),
        "as": _("Wie schrijft?"),
        "who_opens": _("Wie opent deze link?"),
        "who_adds": _("Wie voegt Kring toe aan de groep?"),
        "cancel": pgettext("button", "Terug"),
        "not_started": _("{name} heeft nog niet op Start gedrukt."),
        "not_in_group": _("Kring zit nog niet in deze groep. Open de link voor de groep."),
        "busy": _("Even wachten…"),
        "failed": _("Dat lukte niet. Probeer het nog eens."),
        "picture": _("Plaatje van Kring"),
        "person": _("Wie ben je nu?"),
        "languages": {code: language_name(code) for code in available_languages()},
        "rtl": [code for code in available_languages() if is_right_to_left(code)],
    }


def page(language: str, situation: str) -> str:
    with use_language(language):
        values = {
            "lang": language,
            "dir": "rtl" if is_right_to_left(language) else "ltr",
            "title": _("Kring oefenen"),
            "intro": _("Speel alle mensen van een kring. Alles gebeurt op deze computer."),
            "hour": pgettext("button", "+1 uur"),
            "next": pgettext("button", "Tot het volgende bericht"),
            "week": pgettext("button", "+1 week"),
            "again": pgettext("button", "Opnieuw beginnen"),
            "begin_with": _("Begin met"),
            "page_language": _("Taal van deze pagina"),
            "situations": "".join(
                f'<option value="{s.key}"{" selected" if s.key == situation else ""}>{_(s.title)}</option>'
                for s in SITUATIONS
            ),
            "languages": "".join(
                f'<option value="{code}"{" selected" if code == language else ""}>{language_name(code)}</option>'
                for code in available_languages()
            ),
            "words": json.dumps(words(), ensure_ascii=False).replace("</", "<\\/"),
        }
    template = string.Template((STATIC / "index.html").read_text(encoding="utf-8"))
    return template.substitute(values)


HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def build_web_app(practice: Practice, host: str = "127.0.0.1") -> web.Application:
    app = web.Application(middlewares=[_only_from(host), _headers])

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page(page_language(request), practice.situation), content_type="text/html")

    async def state(request: web.Request) -> web.Response:
        if not practice.ready:
            raise web.HTTPServiceUnavailable()
        with use_language(page_language(request)):
            return web.json_response(practice.state())

    async def act(request: web.Request) -> web.Response:
        """One thing the visitor does; answers with the new state (and a short answer, if any)."""
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest() from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest()
        action = request.match_info["action"]
        toast: str | None = None
        async with practice.lock:
            column, actor = str(body.get("column", "")), body.get("as")
            actor = str(actor) if actor else None
            language = page_language(request)
            with use_language(language):
                if action == "send":
                    await practice.send(column, actor, str(body.get("text", ""))[:4096])
                elif action == "press":
                    toast = await practice.press(
                        column,
                        actor,
                        _number(body.get("message")),
                        _number(body.get("row")),
                        _number(body.get("index")),
                    )
                elif action == "start":
                    await practice.send(column, None, "/start")
                elif action == "link":
                    await practice.open_link(str(body.get("who", "")), str(body.get("kind")), str(body.get("token")))
                elif action == "language":
                    await practice.choose_language(column, str(body.get("code", "")))
                elif action == "clock":
                    await practice.move_clock(str(body.get("step", "")))
                elif action == "begin":
                    await practice.begin(str(body.get("situation", "")))
                else:
                    raise web.HTTPNotFound()
            with use_language(language):
                return web.json_response({"state": practice.state(), "toast": toast})

    async def events(request: web.Request) -> web.StreamResponse:
        """Server-sent events: the new state whenever something happened (the clock may run long)."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
        await response.prepare(request)
        listener = practice.listen()
        language = page_language(request)
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(15):
                        await listener.wait()
                if not listener.is_set():
                    await response.write(b": still here\n\n")
                    continue
                await asyncio.sleep(0.1)  # one update for a burst of messages
                listener.clear()
                if not practice.ready:
                    continue
                with use_language(language):
                    data = json.dumps(practice.state(), ensure_ascii=False)
                await response.write(f"data: {data}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            practice.stop_listening(listener)
        return response

    async def file(request: web.Request) -> web.Response:
        return practice.file(_number(request.match_info["chat"]), _number(request.match_info["message"]))

    app.router.add_get("/", index)
    app.router.add_get("/state", state)
    app.router.add_get("/events", events)
    app.router.add_post("/act/{action}", act)
    app.router.add_get("/file/{chat}/{message}", file)
    app.router.add_static("/static/", STATIC)
    return app


def _only_from(host: str) -> Middleware:
    """Only this page may drive the practice: another web site open in the same browser cannot
    (a cross-site form or fetch cannot send JSON without asking first, which is not answered), nor
    can a site whose name is made to point at this computer (its name is not one of ours)."""
    names = {"127.0.0.1", "localhost", "::1", host.strip("[]")}

    def ours(address: str | None) -> bool:
        name = (urlsplit(address).hostname if address and "//" in address else None) or ""
        return name in names

    @web.middleware
    async def check(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not ours(f"//{request.host}"):
            raise web.HTTPMisdirectedRequest()
        if request.method == "POST" and (
            request.content_type != "application/json"
            or ("Origin" in request.headers and not ours(request.headers["Origin"]))
        ):
            raise web.HTTPForbidden()
        return await handler(request)

    return check


@web.middleware
async def _headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:  # a fault in the bot or the fake: the page says "that did not work"
        # (no traceback: its message may hold a name or a text, and logs hold ids only)
        log.error("practice action failed", extra={"path": request.path, "error": type(error).__name__})
        response = web.json_response({"error": True}, status=500)
    if not response.prepared:
        response.headers.update(HEADERS)
    return response


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise web.HTTPBadRequest() from None


class PracticeServer:
    """The page server and its practice circle, started and stopped together (the tests use it)."""

    def __init__(self, settings: Settings, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
        self.practice = Practice(settings)
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    async def start(self, situation: str = SITUATIONS[0].key) -> str:
        await self.practice.begin(situation)
        self._runner = web.AppRunner(build_web_app(self.practice, self.host), handle_signals=False, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = int(self._runner.addresses[0][1])
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.practice.close()


async def run_practice(settings: Settings, *, host: str, port: int, say: Callable[[str], None]) -> int:
    server = PracticeServer(settings, host=host, port=port)
    try:
        url = await server.start()
        say(_("Kring oefenen staat klaar op {url}").format(url=url))
        say(_("Open die link in je browser. Stoppen: Ctrl+C."))
        await asyncio.Event().wait()
    finally:
        await server.stop()
    return 0


__all__ = ["LINK", "PracticeServer", "run_practice"]
