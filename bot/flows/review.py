"""Looking back together, one question per screen: each typed answer is kept at once (stopping
halfway loses nothing), every question can be skipped. Per agreement one tap: keep, change (its
edit is offered at the end) or stop (after a confirmation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import AgreementVerdict, ReviewTopic
from bot.flows.flow import Flow, Reply, Step, Turn, rows, say, too_long
from bot.i18n import pgettext
from bot.messages import reviews as messages
from bot.plan_text import agreement_block
from bot.services import circles, reviews


@dataclass(frozen=True)
class ReviewDraft:
    circle_id: int
    round_id: int | None = None
    #: What is asked, in order: topic values and ``a:<agreement id>``; and where we are.
    items: list[str] = field(default_factory=list)
    index: int = 0


Review = Turn[ReviewDraft]


def _agreement_id(item: str) -> int | None:
    return int(item[2:]) if item.startswith("a:") else None


def _header(turn: Review) -> str:
    return messages.counter(turn.data.index + 1, len(turn.data.items))


async def _ask(turn: Review) -> Reply:
    item = turn.data.items[turn.data.index]
    skip = turn.button(pgettext("button", "Overslaan"), "skip")
    agreement_id = _agreement_id(item)
    if agreement_id is None:
        text = f"{_header(turn)}\n{messages.question(ReviewTopic(item))}\n\n{messages.how_to_answer()}"
        return text, InlineKeyboardMarkup([[skip]])
    view = await reviews.agreement(turn.session, agreement_id, person_id=turn.person_id)
    text = f"{_header(turn)}\n{messages.agreement_question()}\n\n{agreement_block(view)}"
    verdicts = [
        turn.button(pgettext("button", "Houden"), "verdict", AgreementVerdict.KEEP.value),
        turn.button(pgettext("button", "Aanpassen"), "verdict", AgreementVerdict.CHANGE.value),
        turn.button(pgettext("button", "Stoppen"), "verdict", AgreementVerdict.STOP.value),
    ]
    return text, InlineKeyboardMarkup([verdicts, [skip]])


async def _confirm_stop(turn: Review) -> Reply:
    agreement_id = _agreement_id(turn.data.items[turn.data.index])
    assert agreement_id is not None
    view = await reviews.agreement(turn.session, agreement_id, person_id=turn.person_id)
    return messages.stop_question(view.agreement.what), rows(
        [turn.button(pgettext("button", "Ja, stoppen"), "yes"), turn.button(pgettext("button", "Nee, houden"), "no")]
    )


async def _next(turn: Review, before: str = "") -> Reply:
    if turn.data.index + 1 < len(turn.data.items):
        turn.go("ask", index=turn.data.index + 1)
        text, buttons = await turn.question()
        return (f"{before}\n\n{text}" if before else text), buttons
    return await _end(turn, before)


async def _end(turn: Review, before: str) -> Reply:
    turn.finish()
    text = f"{before}\n\n{messages.thanks()}" if before else messages.thanks()
    if turn.data.round_id is None:
        return say(text)
    views = await reviews.to_change(turn.session, turn.data.round_id, person_id=turn.person_id)
    if not views:
        return say(text)
    # one tap opens the agreement's own edit (the /agreements button)
    edit = [
        [
            InlineKeyboardButton(
                "✏️ " + view.agreement.what, callback_data=callbacks.encode(messages.EDIT, view.agreement.id, "edit")
            )
        ]
        for view in views
    ]
    return f"{text}\n\n{messages.change_now()}", InlineKeyboardMarkup(edit)


async def _typed(turn: Review, text: str) -> Reply | None:
    item = turn.data.items[turn.data.index]
    if _agreement_id(item) is not None:
        return None  # the question again: this one has buttons
    words = circles.clean_name(text, reviews.MAX_TEXT)
    if words is None:
        return too_long(reviews.MAX_TEXT)
    await reviews.keep(
        turn.session,
        turn.data.circle_id,
        person_id=turn.person_id,
        round_id=turn.data.round_id,
        topic=ReviewTopic(item),
        text=words,
        now=turn.now,
    )
    return await _next(turn, messages.kept())


async def _pressed(turn: Review, name: str, value: str) -> Reply | None:
    if name == "skip":
        return await _next(turn)
    agreement_id = _agreement_id(turn.data.items[turn.data.index])
    if name != "verdict" or agreement_id is None or turn.data.round_id is None:
        raise callbacks.BadCallbackData(name)
    verdict = callbacks.as_enum(AgreementVerdict, value)
    if verdict == AgreementVerdict.STOP:
        turn.go("stop")
        return None
    await reviews.judge(
        turn.session, agreement_id, person_id=turn.person_id, round_id=turn.data.round_id, verdict=verdict, now=turn.now
    )
    return await _next(turn)


async def _stop_pressed(turn: Review, name: str, value: str) -> Reply | None:
    agreement_id = _agreement_id(turn.data.items[turn.data.index])
    if name not in ("yes", "no") or agreement_id is None or turn.data.round_id is None:
        raise callbacks.BadCallbackData(name)
    if name == "no":
        turn.go("ask")
        return None
    view = await reviews.agreement(turn.session, agreement_id, person_id=turn.person_id)
    await reviews.judge(
        turn.session,
        agreement_id,
        person_id=turn.person_id,
        round_id=turn.data.round_id,
        verdict=AgreementVerdict.STOP,
        now=turn.now,
    )
    return await _next(turn, messages.stopped_agreement(view.agreement.what))


async def _may_answer(turn: Review) -> None:
    await reviews.reviewer(turn.session, turn.data.circle_id, person_id=turn.person_id)


async def first(turn: Review) -> Reply:
    text, buttons = await turn.question()
    return messages.intro(turn.data.round_id is None) + "\n\n" + text, buttons


def draft(started: reviews.Started) -> ReviewDraft:
    return ReviewDraft(started.circle_id, started.round_id, started.items)


REVIEW = Flow(
    "review",
    ReviewDraft,
    action="rvf",  # rvf:draft_id:name:value
    check=_may_answer,
    gone=messages.refusal,
    stopped=messages.stopped,
    steps={"ask": Step(_ask, typed=_typed, pressed=_pressed), "stop": Step(_confirm_stop, pressed=_stop_pressed)},
)
