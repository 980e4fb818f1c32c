"""One way to write a multi-step conversation.

A :class:`Flow` is a set of named :class:`Step` s. Each step declares what it asks (the question
and its buttons), what it accepts (typed text, a button press) and what that does to the flow's
*typed draft*: a dataclass, kept as JSON in the ``drafts`` table. Nothing lives in memory, so a
restart or a second process resumes any flow halfway.

A step's functions get a :class:`Turn`: the draft's data, its step, the database session and
the time, and they move it on with :meth:`Turn.go` or end it with :meth:`Turn.finish`. They
return the reply to show, or ``None`` for "ask the question of the step we are now at".
A press that does not fit raises :class:`~bot.callbacks.BadCallbackData`; a person who may no
longer do this raises :class:`~bot.services.authz.NotAllowed`. The Telegram side (routing text,
buttons and /cancel to the right flow) is :mod:`bot.handlers.flows`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Draft
from bot.i18n import _, pgettext
from bot.services import authz, drafts

#: What a step shows: a text and, if it asks for a choice, its buttons.
Reply = tuple[str, InlineKeyboardMarkup | None]
#: How long an open draft waits for typed text (unless the flow says otherwise): after that, text
#: is not taken as an answer to a question asked long ago.
DEFAULT_WAIT = timedelta(days=7)
#: The field of the button every flow understands: stop without saving.
STOP = "stop"

D = TypeVar("D")


def say(text: str) -> Reply:
    return text, None


def too_long(limit: int) -> Reply:
    return say(_("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=limit))


def use_the_buttons() -> Reply:
    return say(_("Kies een van de knoppen hierboven. Stoppen? Stuur /cancel."))


def rows(buttons: list[InlineKeyboardButton], per_row: int = 2) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


@dataclass
class Turn(Generic[D]):
    """One answer in a flow, while its transaction is open."""

    flow: Flow[D]
    session: AsyncSession
    person_id: int
    chat_id: int
    draft_id: int
    step: str
    data: D
    now: datetime
    #: The organisation's time zone, for reading "12-12" or "15:00".
    zone: ZoneInfo
    #: The bot's own username, for the links a flow hands out at its end.
    bot_username: str
    finished: bool = field(default=False, init=False)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    @property
    def private(self) -> bool:
        return self.chat_id > 0  # private chats have positive ids, groups negative ones

    def go(self, step: str, **changes: Any) -> None:
        """Move to ``step``, with these fields of the draft changed."""
        if step not in self.flow.steps:
            raise KeyError(f"{self.flow.name} has no step {step!r}")
        self.step = step
        self.data = dataclasses.replace(self.data, **changes)  # type: ignore[type-var]

    def finish(self) -> None:
        """The flow is done (saved, sent or stopped): its draft goes."""
        self.finished = True

    def button(self, text: str, name: str, value: object = 0) -> InlineKeyboardButton:
        """A button that answers this flow's current question with ``name`` = ``value``."""
        assert self.flow.action is not None, f"{self.flow.name} has no buttons"
        return InlineKeyboardButton(
            text, callback_data=callbacks.encode(self.flow.action, self.draft_id, name, str(value))
        )

    def skip_button(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[self.button(pgettext("button", "Overslaan"), "skip")]])

    async def question(self) -> Reply:
        ask = self.flow.steps[self.step].ask
        if ask is None:
            raise LookupError(f"{self.flow.name}.{self.step} asks nothing")
        return await ask(self)


Ask = Callable[[Turn[D]], Awaitable[Reply]]
#: Takes typed text: moves the turn on and returns ``None``, or returns what is wrong with it.
Typed = Callable[[Turn[D], str], Awaitable[Reply | None]]
#: Takes a button press (its name and value); raises ``BadCallbackData`` when it does not fit.
Pressed = Callable[[Turn[D], str, str], Awaitable[Reply | None]]
Check = Callable[[Turn[D]], Awaitable[None]]


@dataclass(frozen=True)
class Step(Generic[D]):
    """What one step asks, and what it accepts: typed text, buttons, or both."""

    ask: Ask[D] | None = None
    typed: Typed[D] | None = None
    pressed: Pressed[D] | None = None


def _stopped() -> str:
    return _("Gestopt. Er is niets bewaard.")


@dataclass(frozen=True)
class Flow(Generic[D]):
    """A multi-step conversation: its name (kept on the draft), its typed draft, its steps."""

    name: str
    draft: type[D]
    steps: Mapping[str, Step[D]]
    #: The prefix of its buttons' data (``action:draft_id:name:value``); ``None``: text only.
    action: str | None = None
    #: Re-checked on every answer, because roles and circles change while a draft waits.
    check: Check[D] | None = None
    #: Said when typed text arrives but ``check`` (or a step) says it is no longer possible.
    gone: Callable[[], str] = _stopped
    stopped: Callable[[], str] = _stopped
    waits: timedelta = DEFAULT_WAIT

    def __post_init__(self) -> None:
        if not (dataclasses.is_dataclass(self.draft) and isinstance(self.draft, type)):
            raise TypeError(f"the draft of {self.name} must be a dataclass")

    async def begin(
        self,
        session: AsyncSession,
        *,
        person_id: int,
        chat_id: int,
        now: datetime,
        zone: ZoneInfo,
        bot_username: str,
        step: str,
        data: D,
    ) -> Turn[D]:
        """Start this flow for a person in a chat (replacing whatever they had going there)."""
        draft = await drafts.begin(
            session,
            person_id=person_id,
            chat_id=chat_id,
            flow=self.name,
            step=step,
            now=now,
            data=dataclasses.asdict(data),  # type: ignore[call-overload]
        )
        turn = Turn(self, session, person_id, chat_id, draft.id, step, data, now, zone, bot_username)
        if self.check is not None:
            await self.check(turn)
        return turn

    def resume(
        self, session: AsyncSession, draft: Draft, *, now: datetime, zone: ZoneInfo, bot_username: str
    ) -> Turn[D] | None:
        """The turn for a stored draft; ``None`` when its data no longer fits this flow (a draft
        left from before an update)."""
        names = {f.name for f in dataclasses.fields(self.draft)}  # type: ignore[arg-type]
        try:
            data = self.draft(**{k: v for k, v in draft.data.items() if k in names})
        except TypeError:
            return None
        if draft.step not in self.steps:
            return None
        return Turn(self, session, draft.person_id, draft.chat_id, draft.id, draft.step, data, now, zone, bot_username)

    async def save(self, turn: Turn[D]) -> None:
        """Write the turn back to its draft, or delete the draft when the flow is done."""
        draft = await turn.session.get(Draft, turn.draft_id)
        if draft is None:
            return
        if turn.finished:
            await drafts.finish(turn.session, draft)
            return
        draft.step = turn.step
        draft.data = dataclasses.asdict(turn.data)  # type: ignore[call-overload]
        draft.updated_at = turn.now


async def take_text(turn: Turn[D], text: str) -> Reply:
    """Typed text as the answer to the turn's step; the draft is saved (or closed) after."""
    flow = turn.flow
    typed = flow.steps[turn.step].typed
    try:
        if flow.check is not None:
            await flow.check(turn)
        if typed is None:
            return use_the_buttons()
        reply = await typed(turn, text)
        if reply is None:
            reply = await turn.question()
    except authz.NotAllowed:
        turn.finish()
        reply = say(flow.gone())
    await flow.save(turn)
    return reply


async def take_press(turn: Turn[D], name: str, value: str) -> Reply:
    """A press on one of the turn's buttons; raises ``BadCallbackData`` when it does not fit the
    step and ``NotAllowed`` when the person may no longer do this (both: "stale button")."""
    flow = turn.flow
    if name == STOP:  # stopping one's own draft is always possible
        turn.finish()
        reply: Reply | None = say(flow.stopped())
    else:
        if flow.check is not None:
            await flow.check(turn)
        pressed = flow.steps[turn.step].pressed
        if pressed is None:
            raise callbacks.BadCallbackData(name)
        reply = await pressed(turn, name, value)
    if reply is None:
        reply = await turn.question()
    await flow.save(turn)
    return reply
