"""A network member's few words with their check-in: private until they choose to share them.
(The coordinators' choice of who gets check-ins is part of /checkin: :mod:`bot.flows.checkins`.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.flows.checkins import cannot_save
from bot.flows.flow import Flow, Reply, Step, Turn, say, too_long
from bot.i18n import _
from bot.messages.network_checkins import share_buttons
from bot.services import network_checkins


@dataclass(frozen=True)
class NoteDraft:
    checkin_id: int


async def _note(turn: Turn[NoteDraft], text: str) -> Reply | None:
    note = text.strip()
    if len(note) > network_checkins.MAX_NOTE:
        return too_long(network_checkins.MAX_NOTE)
    turn.finish()
    checkin = await network_checkins.add_note(
        turn.session, turn.data.checkin_id, person_id=turn.person_id, text=note, now=turn.now
    )
    if not await network_checkins.answers_shared(turn.session, checkin):
        return say(_("Goed. Alleen jij ziet het, bij je volgende check-in."))  # the family sees nothing: no question
    return _("Bewaard. Mag het gezin dit lezen?"), share_buttons(checkin.id)


NOTE = Flow(
    "network_note",
    NoteDraft,
    gone=cannot_save,
    waits=timedelta(hours=12),
    steps={"note": Step(typed=_note)},
)
