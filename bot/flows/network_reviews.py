"""A network member's own words at a review moment ("I would rather do ..."): private until they
choose to share them. The questions themselves are :mod:`bot.handlers.network_reviews`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.flows.flow import Flow, Reply, Step, Turn, too_long
from bot.i18n import _
from bot.messages.network_reviews import share_buttons, share_question
from bot.services import network_reviews


def _gone() -> str:
    return _("Dit kan ik niet meer bewaren. Je antwoord staat wel.")


@dataclass(frozen=True)
class WordsDraft:
    review_id: int


async def _words(turn: Turn[WordsDraft], text: str) -> Reply | None:
    words = text.strip()
    if len(words) > network_reviews.MAX_WORDS:
        return too_long(network_reviews.MAX_WORDS)
    turn.finish()
    review = await network_reviews.rather_else(
        turn.session, turn.data.review_id, person_id=turn.person_id, text=words, now=turn.now
    )
    return _("Bewaard.") + " " + share_question(), share_buttons(review.id)


WORDS = Flow(
    "network_review_words",
    WordsDraft,
    gone=_gone,
    waits=timedelta(hours=12),
    steps={"words": Step(typed=_words)},
)
