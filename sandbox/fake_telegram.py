"""A fake Telegram Bot API server on loopback, for the tests and ``kring demo``.

It speaks the real protocol (``{root}/bot{token}/{method}``, ``{"ok": ...}`` envelopes, the error
codes and descriptions Telegram uses), keeps chats and messages, and plays the people: a
:class:`FakeUser` sends messages and presses buttons the way a Telegram app would, including
privacy mode in groups (the bot sees commands, replies to its own messages and mentions only).

Faults can be queued per method (``fail_next``) to test 429s, 5xx and 403s.
"""

from __future__ import annotations

import asyncio
import collections
import io
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from PIL import Image
from telegram import Update

from bot.clock import Clock, SystemClock
from bot.metrics import OrderedUpdateProcessor

BOT_ID = 7000001
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
#: Kinds of update Telegram sends only to a bot that asks for them by name.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
#: Form fields that are strings even when they look like JSON ("123" stays text).
_STRING_FIELDS = {
    "text",
    "caption",
    "callback_query_id",
    "parse_mode",
    "language_code",
    "description",
    "url",
    "secret_token",
}


@dataclass
class Fault:
    status: int
    description: str
    parameters: dict[str, int] | None = None
    chat_id: int | None = None


@dataclass
class SentMessage:
    """A message as the bot left it in a chat (edits replace text and buttons)."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    reply_to: int | None = None
    document: tuple[str, bytes] | None = None  # (file name, content) of a sent file
    photo: bytes | None = None  # a sent picture (PNG or JPEG), as uploaded
    force_reply: bool = False  # the app opens a reply to it (for those it mentions, when selective)
    mentions: list[int] = field(default_factory=list)  # user ids named by a text_mention entity

    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]

    def callback_data(self, text: str) -> str:
        """The button labelled ``text`` — or, in a group that reads two languages, the button whose
        label starts with it ("Goed" finds "Goed · جيد")."""
        buttons = [button for row in self.buttons for button in row]
        for exact in (True, False):
            for button in buttons:
                label = str(button["text"])
                if label == text if exact else label.split(" · ")[0] == text:
                    return str(button["callback_data"])
        raise LookupError(f"no button {text!r}; there are {self.button_texts()}")


@dataclass
class Event:
    """One line of the conversation, for transcripts: who, where, what."""

    kind: str  # "user", "bot", "edit", "toast", "press"
    chat_id: int
    text: str
    actor: str = ""
    buttons: list[str] = field(default_factory=list)


@dataclass
class Chat:
    id: int
    type: str  # "private", "group", "supergroup"
    title: str | None = None
    user: dict[str, Any] | None = None
    started: bool = False  # private: the person pressed Start
    blocked: bool = False  # private: the person blocked the bot
    bot_member: bool = False  # group: the bot is in it
    migrated_to: int | None = None  # group: upgraded to the supergroup with this id

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        if self.user:
            data["first_name"] = self.user["first_name"]
        return data


class TelegramError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class UpdateTracker(OrderedUpdateProcessor):
    """Kring's own update processor (chats in parallel, each chat in order), which also lets a
    caller wait until a given update has been fully handled (so tests never sleep)."""

    def __init__(self, *, running: int = 24) -> None:
        super().__init__(running=running)
        self._admitted: set[int] = set()
        self._done: set[int] = set()
        self._changed = asyncio.Condition()

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        if isinstance(update, Update):
            async with self._changed:  # (never held across an await: taking it does not wait)
                self._admitted.add(update.update_id)
                self._changed.notify_all()
        try:
            await super().do_process_update(update, coroutine)
        finally:
            if isinstance(update, Update):
                async with self._changed:
                    self._done.add(update.update_id)
                    self._changed.notify_all()

    async def wait(self, update_id: int, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: update_id in self._done)

    async def wait_admitted(self, update_id: int, timeout: float = 10) -> None:
        """Until the processor has taken ``update_id`` in (it may still wait for its chat's turn)."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: update_id in self._admitted)


class TelegramLimits:
    """Telegram's flood limits, as the benchmarks meet them: about 30 messages a second overall
    and 20 a minute per group; beyond that a 429 with ``retry_after`` (real seconds)."""

    SENDING = frozenset({"sendmessage", "senddocument", "sendphoto", "editmessagetext", "editmessagereplymarkup"})

    def __init__(
        self, *, per_second: int = 30, per_group_minute: int = 20, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self.per_second = per_second
        self.per_group_minute = per_group_minute
        self.refused = 0
        self._overall: collections.deque[float] = collections.deque()
        self._groups: dict[int, collections.deque[float]] = {}

    def check(self, method: str, chat_id: int | None) -> None:
        if method.lower() not in self.SENDING:
            return
        now = self.clock()
        while self._overall and self._overall[0] <= now - 1:
            self._overall.popleft()
        group = self._groups.setdefault(chat_id, collections.deque()) if chat_id is not None and chat_id < 0 else None
        while group and group[0] <= now - 60:
            group.popleft()
        wait = 0.0
        if len(self._overall) >= self.per_second:
            wait = self._overall[0] + 1 - now
        if group is not None and len(group) >= self.per_group_minute:
            wait = max(wait, group[0] + 60 - now)
        if wait > 0:
            self.refused += 1
            retry_after = max(1, math.ceil(wait))
            raise TelegramError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        self._overall.append(now)
        if group is not None:
            group.append(now)


class FakeTelegram:
    """The server. Start it, point ``KRING_TELEGRAM_API_URL`` at :attr:`url`, and play people."""

    def __init__(self, token: str, *, bot_username: str = "kring_test_bot", clock: Clock | None = None) -> None:
        self.token = token
        self.bot_username = bot_username
        self.clock = clock or SystemClock()
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.timeline: list[Event] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.tracker: UpdateTracker | None = None
        #: Run after each update has been handled (the sandbox lets the scheduler tick here).
        self.after_update: Callable[[], Awaitable[None]] | None = None
        self.on_event: Callable[[Event], None] | None = None
        #: What ``setWebhook`` was told (``url``, ``secret_token``), if anything.
        self.webhook: dict[str, Any] | None = None
        #: Telegram's flood limits, when set (the benchmarks); tests leave them off.
        self.limits: TelegramLimits | None = None
        #: The kinds of update the bot asked for (``getUpdates``/``setWebhook``'s ``allowed_updates``,
        #: kept until asked again, as Telegram does); ``None``: Telegram's default.
        self.allowed_updates: list[str] | None = None
        self._faults: dict[str, list[Fault]] = {}
        self._updates: list[dict[str, Any]] = []
        #: The last update, message and callback query id handed out (plain numbers, so a test can copy them).
        self._last_ids: dict[str, int] = {"update": 0, "message": 0, "callback": 0}
        self._new_update = asyncio.Event()
        self._bot_message = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- server -------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.url = f"http://{bound[0]}:{bound[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id``, if given) fail like this."""
        given = {"retry_after": retry_after, "migrate_to_chat_id": migrate_to_chat_id}
        parameters = {k: v for k, v in given.items() if v is not None} or None
        self._faults.setdefault(method, []).extend(
            Fault(status, description, parameters, chat_id) for _ in range(times)
        )

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(TelegramError(401, "Unauthorized"))
        method = request.match_info["method"]
        params = await _read_params(request)
        self.calls.append((method, params))
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            return _error_response(TelegramError(404, "Not Found"))
        try:
            self._raise_fault(method, params)
            if self.limits is not None:
                self.limits.check(method, _int(params.get("chat_id")))
            result = await handler(params)
        except TelegramError as error:
            return _error_response(error)
        return web.json_response({"ok": True, "result": result})

    def _raise_fault(self, method: str, params: dict[str, Any]) -> None:
        queue = self._faults.get(method, [])
        for index, fault in enumerate(queue):
            if fault.chat_id is None or fault.chat_id == _int(params.get("chat_id")):
                del queue[index]
                raise TelegramError(fault.status, fault.description, fault.parameters)

    # -- Bot API methods ----------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Kring",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user()

    async def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        """Remember where updates should go, and the secret token they must carry."""
        self.webhook = {"url": params.get("url"), "secret_token": params.get("secret_token")}
        self._note_allowed(params)
        return True

    def _note_allowed(self, params: dict[str, Any]) -> None:
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]

    def _wanted(self, update: dict[str, Any]) -> bool:
        """Whether the bot asked for this kind of update (with an empty list or none: everything
        but member changes and reactions, Telegram's default)."""
        kinds = [key for key in update if key != "update_id"]
        if not kinds:
            return True  # (a malformed update a test pushes on purpose)
        if not self.allowed_updates:
            return kinds[0] not in NOT_BY_DEFAULT
        return kinds[0] in self.allowed_updates

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(params.get("offset")) or 0
        self._note_allowed(params)
        self._updates = [u for u in self._updates if u["update_id"] >= offset and self._wanted(u)]
        if not self._updates:
            self._new_update.clear()
            timeout = float(params.get("timeout") or 0)
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=timeout)
            except TimeoutError:
                return []
        limit = _int(params.get("limit")) or 100
        self._updates = [u for u in self._updates if self._wanted(u)]  # (also what came while waiting)
        return self._updates[:limit]

    def _menu_key(self, params: dict[str, Any]) -> tuple[str, str]:
        """Where a menu is kept: its scope and language. A chat's scope needs a chat Telegram
        knows: a private chat the person started, or a group the bot is in."""
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "chat":
            chat = self.chats.get(_int(scope.get("chat_id")) or 0)
            known = chat is not None and (chat.started if chat.type == "private" else chat.bot_member)
            if not known:
                raise TelegramError(400, "Bad Request: chat not found")
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    async def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = list(params.get("commands") or [])
        if len(commands) > 100 or any(not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")) for c in commands):
            raise TelegramError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[self._menu_key(params)] = commands
        return True

    async def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._menu_key(params), None)
        return True

    async def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._menu_key(params), [])

    def menu_seen(self, chat_id: int, language_code: str | None) -> list[str]:
        """The commands the app shows in this chat, chosen as Telegram does: the chat's own menu,
        then the one for all private (or all group) chats, then the default; each first in the
        app's language, then without one."""
        chat = self.chats[chat_id]
        every = "all_private_chats" if chat.type == "private" else "all_group_chats"
        scopes = [{"type": "chat", "chat_id": chat_id}, {"type": every}, {"type": "default"}]
        for scope in scopes:
            for language in (language_code or "", ""):
                menu = self.commands.get((json.dumps(scope, sort_keys=True), language))
                if menu is not None:
                    return [f"/{c['command']} {c['description']}" for c in menu]
        return []

    async def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._writable_chat(params.get("chat_id"))
        text = str(params.get("text") or "")
        _check_text(text)
        buttons = _inline_keyboard(params.get("reply_markup"))
        reply_to = _int(params.get("reply_to_message_id")) or _int(
            (params.get("reply_parameters") or {}).get("message_id")
        )
        message = SentMessage(self.next_message_id(), chat.id, text, buttons, reply_to)
        markup = params.get("reply_markup")
        message.force_reply = isinstance(markup, dict) and bool(markup.get("force_reply"))
        message.mentions = [
            int(entity["user"]["id"])
            for entity in params.get("entities") or []
            if entity.get("type") == "text_mention" and entity.get("user")
        ]
        self.messages[(chat.id, message.message_id)] = message
        await self._record(Event("bot", chat.id, text, buttons=message.button_texts()))
        return self._message_json(message, chat)

    async def _api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._writable_chat(params.get("chat_id"))
        upload = params.get("document")
        if not isinstance(upload, tuple):
            raise TelegramError(400, "Bad Request: there is no document in the request")
        caption = str(params.get("caption") or "")
        message = SentMessage(self.next_message_id(), chat.id, caption, document=upload)
        self.messages[(chat.id, message.message_id)] = message
        await self._record(Event("bot", chat.id, f"📎 {upload[0]}" + (f"\n{caption}" if caption else "")))
        return self._message_json(message, chat)

    async def _api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._writable_chat(params.get("chat_id"))
        upload = params.get("photo")
        if not isinstance(upload, tuple):
            raise TelegramError(400, "Bad Request: there is no photo in the request")
        _check_photo(upload[1])
        caption = str(params.get("caption") or "")
        message = SentMessage(self.next_message_id(), chat.id, caption, photo=upload[1])
        self.messages[(chat.id, message.message_id)] = message
        await self._record(Event("bot", chat.id, "🖼" + (f" {caption}" if caption else "")))
        return self._message_json(message, chat)

    async def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        message, chat = self._stored_message(params)
        text = str(params.get("text") or "")
        _check_text(text)
        buttons = _inline_keyboard(params.get("reply_markup"))
        if text == message.text and buttons == message.buttons:
            raise TelegramError(
                400,
                "Bad Request: message is not modified: specified new message content "
                "and reply markup are exactly the same as a current content and reply markup of the message",
            )
        message.text, message.buttons = text, buttons
        await self._record(Event("edit", chat.id, text, buttons=message.button_texts()))
        return self._message_json(message, chat)

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message, chat = self._stored_message(params)
        message.buttons = _inline_keyboard(params.get("reply_markup"))
        await self._record(Event("edit", chat.id, message.text, buttons=message.button_texts()))
        return self._message_json(message, chat)

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self.callback_answers or self.callback_answers[query_id]:
            raise TelegramError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers[query_id] = {"text": params.get("text"), "show_alert": params.get("show_alert")}
        if params.get("text"):
            await self._record(Event("toast", 0, str(params["text"])))
        return True

    def _writable_chat(self, chat_id: Any) -> Chat:
        chat = self.chats.get(_int(chat_id) or 0)
        if chat is None:
            raise TelegramError(400, "Bad Request: chat not found")
        if chat.type == "private":
            if chat.blocked:
                raise TelegramError(403, "Forbidden: bot was blocked by the user")
            if not chat.started:
                raise TelegramError(403, "Forbidden: bot can't initiate conversation with a user")
        elif chat.migrated_to is not None:
            raise TelegramError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        elif not chat.bot_member:
            raise TelegramError(403, "Forbidden: bot is not a member of the group chat")
        return chat

    def _stored_message(self, params: dict[str, Any]) -> tuple[SentMessage, Chat]:
        chat = self._writable_chat(params.get("chat_id"))
        message = self.messages.get((chat.id, _int(params.get("message_id")) or 0))
        if message is None:
            raise TelegramError(400, "Bad Request: message to edit not found")
        return message, chat

    def _message_json(self, message: SentMessage, chat: Chat) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(self.clock.now().timestamp()),
            "chat": chat.as_json(),
            "from": self.bot_user(),
            "text": message.text,
        }
        if message.buttons:
            data["reply_markup"] = {"inline_keyboard": message.buttons}
        if message.document is not None:
            del data["text"]
            data["document"] = {
                "file_id": f"doc{message.message_id}",
                "file_unique_id": f"u{message.message_id}",
                "file_name": message.document[0],
                "file_size": len(message.document[1]),
            }
            if message.text:
                data["caption"] = message.text
        if message.photo is not None:
            del data["text"]
            with Image.open(io.BytesIO(message.photo)) as image:
                width, height = image.size
            data["photo"] = [
                {
                    "file_id": f"photo{message.message_id}",
                    "file_unique_id": f"p{message.message_id}",
                    "width": width,
                    "height": height,
                    "file_size": len(message.photo),
                }
            ]
            if message.text:
                data["caption"] = message.text
        return data

    async def _record(self, event: Event) -> None:
        self.timeline.append(event)
        if self.on_event is not None:
            self.on_event(event)
        if event.kind in ("bot", "edit"):
            async with self._bot_message:
                self._bot_message.notify_all()

    # -- people -------------------------------------------------------------------------------

    def user(self, user_id: int, first_name: str, *, language_code: str | None = "nl") -> FakeUser:
        """A person with a Telegram account (and a private chat with the bot, not yet started)."""
        info: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            info["language_code"] = language_code
        self.chats.setdefault(user_id, Chat(user_id, "private", user=info))
        return FakeUser(self, info)

    def group(self, chat_id: int, title: str) -> Chat:
        """A group chat the people are in; the bot joins when someone adds it."""
        chat = self.chats.setdefault(chat_id, Chat(chat_id, "group", title=title))
        return chat

    def upgrade_to_supergroup(self, chat_id: int, new_id: int) -> Chat:
        """The group becomes a supergroup with a new id, as Telegram does when a group grows or
        gets admin features. The old id then answers 400 with ``migrate_to_chat_id``. (Telegram also
        posts a service message; tests that want it push it with :meth:`push_update`.)"""
        old = self.chats[chat_id]
        new = self.chats[new_id] = Chat(new_id, "supergroup", title=old.title, bot_member=old.bot_member)
        old.migrated_to = new_id
        return new

    def messages_in(self, chat_id: int) -> list[SentMessage]:
        return [m for (c, _), m in sorted(self.messages.items()) if c == chat_id]

    async def push_update(self, update: dict[str, Any]) -> int:
        update_id = self._next_id("update")
        update["update_id"] = update_id
        self._updates.append(update)
        self._new_update.set()
        return update_id

    async def settle(self, update_id: int, timeout: float = 10) -> None:
        """Wait until the bot has handled ``update_id``. Only a bot built with :attr:`tracker` in
        this process can tell; for a bot in another process, use :meth:`wait_for_message`."""
        if self.tracker is not None:
            await self.tracker.wait(update_id, timeout)
            if self.after_update is not None:
                await self.after_update()

    async def wait_for_message(self, chat_id: int, *, after: int = 0, timeout: float = 10) -> SentMessage:
        """The first bot message in ``chat_id`` with an id above ``after`` (for a bot in another process)."""

        def found() -> SentMessage | None:
            return next((m for m in self.messages_in(chat_id) if m.message_id > after), None)

        async with asyncio.timeout(timeout):
            async with self._bot_message:
                await self._bot_message.wait_for(lambda: found() is not None)
        result = found()
        assert result is not None
        return result

    def wake_pollers(self) -> None:
        """Let a waiting ``getUpdates`` return now (so a stopping bot need not wait for its timeout)."""
        self._new_update.set()

    def _next_id(self, kind: str) -> int:
        self._last_ids[kind] += 1
        return self._last_ids[kind]

    def next_message_id(self) -> int:
        return self._next_id("message")

    def new_callback_id(self) -> str:
        query_id = str(self._next_id("callback"))
        self.callback_answers[query_id] = {}
        return query_id


class FakeUser:
    """One person using Telegram: they type, and they press buttons."""

    def __init__(self, telegram: FakeTelegram, info: dict[str, Any]) -> None:
        self.telegram = telegram
        self.info = info
        self.id: int = info["id"]
        self.name: str = info["first_name"]
        #: The last message this person typed in each chat (to edit it).
        self.last_sent: dict[int, dict[str, Any]] = {}

    @property
    def private_chat(self) -> Chat:
        return self.telegram.chats[self.id]

    def block(self) -> None:
        self.private_chat.blocked = True

    async def send(
        self, text: str, *, chat: Chat | None = None, reply_to: SentMessage | None = None
    ) -> list[SentMessage]:
        """Type ``text``; returns what the bot wrote back in that chat once it has handled it."""
        chat = chat or self.private_chat
        if chat.type == "private":  # writing to a bot (the app's Start button) opens the chat
            chat.started, chat.blocked = True, False
        before = max((m.message_id for m in self.telegram.messages_in(chat.id)), default=0)
        message = self._message_json(chat, text, reply_to)
        self.last_sent[chat.id] = message
        await self.telegram._record(Event("user", chat.id, text, actor=self.name))
        if chat.type != "private" and not self._visible_in_privacy_mode(text, reply_to):
            return []  # Telegram does not deliver it to the bot at all
        update_id = await self.telegram.push_update({"message": message})
        await self.telegram.settle(update_id)
        return [m for m in self.telegram.messages_in(chat.id) if m.message_id > before]

    async def edit_last(self, text: str, *, chat: Chat | None = None) -> int:
        """Edit the last message typed in ``chat`` to ``text``. Telegram then sends an
        ``edited_message`` update, if the bot asked for those; returns its id (it is not waited
        for: a bot that did not ask never gets it)."""
        chat = chat or self.private_chat
        edited = dict(self.last_sent[chat.id])
        edited["text"] = text
        edited["edit_date"] = int(self.telegram.clock.now().timestamp())
        edited.pop("entities", None)
        if text.startswith("/"):
            edited["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}]
        await self.telegram._record(Event("user", chat.id, f"(edited) {text}", actor=self.name))
        return await self.telegram.push_update({"edited_message": edited})

    async def press(self, message: SentMessage, button: str, *, data: str | None = None) -> dict[str, Any]:
        """Press a button on a bot message (or send forged ``data``); returns Telegram's answer."""
        callback_data = data if data is not None else message.callback_data(button)
        chat = self.telegram.chats[message.chat_id]
        query_id = self.telegram.new_callback_id()
        await self.telegram._record(Event("press", chat.id, button, actor=self.name))
        update_id = await self.telegram.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.info,
                    "chat_instance": str(chat.id),
                    "message": self.telegram._message_json(message, chat),
                    "data": callback_data,
                }
            }
        )
        await self.telegram.settle(update_id)
        return self.telegram.callback_answers[query_id]

    async def add_bot_to_group(self, group: Chat, start_payload: str | None = None) -> list[SentMessage]:
        """Add the bot to ``group``; with a ``startgroup`` link, Telegram then sends
        ``/start@bot <payload>`` in the group on this person's behalf."""
        group.bot_member = True
        before = max((m.message_id for m in self.telegram.messages_in(group.id)), default=0)
        service = self._message_json(group, "", None)
        del service["text"]
        service["new_chat_members"] = [self.telegram.bot_user()]
        await self.telegram.settle(await self.telegram.push_update({"message": service}))
        if start_payload is not None:
            await self.send(f"/start@{self.telegram.bot_username} {start_payload}", chat=group)
        return [m for m in self.telegram.messages_in(group.id) if m.message_id > before]

    def _visible_in_privacy_mode(self, text: str, reply_to: SentMessage | None) -> bool:
        return text.startswith("/") or reply_to is not None or f"@{self.telegram.bot_username}" in text

    def _message_json(self, chat: Chat, text: str, reply_to: SentMessage | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.telegram.next_message_id(),
            "date": int(self.telegram.clock.now().timestamp()),
            "chat": chat.as_json(),
            "from": self.info,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = self.telegram._message_json(reply_to, chat)
        return message


async def _read_params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    form = await request.post() if request.body_exists else {}
    merged = {**dict(request.query), **{k: v for k, v in form.items() if isinstance(v, str)}}
    params: dict[str, Any] = {
        key: value if key in _STRING_FIELDS else _maybe_json(value) for key, value in merged.items()
    }
    for key, value in form.items():  # an uploaded file (sendDocument): its name and content
        if isinstance(value, web.FileField):
            params[key] = (value.filename, value.file.read())
    return params


def _check_photo(content: bytes) -> None:
    """Telegram's rules for sendPhoto: at most 10 MB, width + height at most 10000, a ratio of at
    most 20 — and it must be a picture."""
    if len(content) > 10 * 1024 * 1024:
        raise TelegramError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
    except OSError:
        raise TelegramError(400, "Bad Request: IMAGE_PROCESS_FAILED") from None
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise TelegramError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")


def _maybe_json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_text(text: str) -> None:
    if not text.strip():
        raise TelegramError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT:
        raise TelegramError(400, "Bad Request: message is too long")


def _inline_keyboard(markup: Any) -> list[list[dict[str, Any]]]:
    if not markup:
        return []
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not (1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA):
                raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
    return [list(row) for row in rows]


def _error_response(error: TelegramError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.status, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.status)
