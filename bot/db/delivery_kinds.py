"""Every kind of message Kring sends on its own, through the outbox.

The values are stored in ``deliveries.kind`` and are part of each delivery's unique key, so they
never change. Each kind has exactly one renderer (``bot/messages/renderers.py: RENDERERS``).
"""

from __future__ import annotations

import enum


class DeliveryKind(enum.StrEnum):
    # who is in the circle
    MEMBER_DECLINED = "member.declined"
    MEMBER_LEFT = "member.left"
    MEMBER_UNREACHABLE = "member.unreachable"
    MEMBER_FORGOTTEN = "member.forgotten"
    MEMBER_REMOVED = "member.removed"  # to the family: who was taken out, and what stopped
    MEMBER_REMOVED_YOU = "member.removed_you"  # to the one taken out: only that
    JOIN_ASKED = "join.asked"  # to the family: confirm or refuse a newcomer
    JOIN_CONFIRMED = "join.confirmed"
    JOIN_REFUSED = "join.refused"
    LINK_OPENED_AGAIN = "link.opened_again"  # a personal link opened by a second account
    CIRCLE_DISSOLVED = "circle.dissolved"
    MENTOR_PROPOSED = "mentor.proposed"  # to each coordinator: the young person's trusted adult?
    MENTOR_AGREED = "mentor.agreed"  # to the young person: make the link
    MENTOR_REFUSED = "mentor.refused"  # to the young person, kindly; never to the mentor
    # agreements
    AGREEMENT_ASK = "agreement.ask"
    AGREEMENT_SUGGESTED = "agreement.suggested"
    AGREEMENT_ACCEPTED = "agreement.accepted"
    AGREEMENT_DECLINED = "agreement.declined"
    AGREEMENT_STEPPED_BACK = "agreement.stepped_back"
    AGREEMENT_PAUSE = "agreement.pause"
    AGREEMENT_RESUME = "agreement.resume"
    AGREEMENT_END = "agreement.end"
    AGREEMENT_CHANGED = "agreement.changed"
    AGREEMENT_REMINDER = "agreement.reminder"
    YOUNG_OPINION = "young.opinion"  # to the coordinators, privately: what the young person thinks of one
    # how one occurrence of an agreement went
    OCCURRENCE_DONE = "occurrence.done"
    OCCURRENCE_NOT_DONE = "occurrence.not_done"
    OCCURRENCE_BACKUP_ASK = "occurrence.backup_ask"
    OCCURRENCE_BACKUP_DONE = "occurrence.backup_done"
    OCCURRENCE_BACKUP_CANT = "occurrence.backup_cant"
    OCCURRENCE_THANKS = "occurrence.thanks"
    # the family's check-ins
    CHECKIN = "checkin"
    CHECKIN_NUDGE = "checkin.nudge"
    REVIEW = "review"
    # a network member's own check-ins
    NETCHECKIN = "netcheckin"
    NETCHECKIN_CHOSEN = "netcheckin.chosen"
    NETCHECKIN_STOPPED = "netcheckin.stopped"
    NETCHECKIN_TALK = "netcheckin.talk"
    # the young person's own check-ins: the question privately; the rest only on their own press
    YOUNG_CHECKIN = "young.checkin"
    YOUNG_SHARED = "young.shared"  # to the coordinators: exactly the answers the young person shared
    YOUNG_HARD = "young.hard"  # to the coordinators: the young person asked to let a parent know
    YOUNG_TALK_MENTOR = "young.talk_mentor"  # to their trusted adult: the young person asked for it
    # when help is needed, and contact with the professional
    HELP_ASK = "help.ask"
    HELP_ANSWER = "help.answer"
    CONTACT_REQUEST = "contact.request"
    CONTACT_ANSWER = "contact.answer"
    CONTACT_ANSWER_TEXT = "contact.answer_text"
    CONTACT_TIMEOUT = "contact.timeout"
    # the professional's pulse and the end of the follow-up
    PULSE = "pulse"
    PULSE_SHOWN = "pulse.shown"
    PULSE_SWITCHED = "pulse.switched"
    FOLLOWUP_ASK = "followup.ask"
    FOLLOWUP_ANSWER = "followup.answer"
    FOLLOWUP_GOODBYE = "followup.goodbye"
    FOLLOWUP_HANDOVER = "followup.handover"
    # open requests (issue 22): each privately; nobody hears who said no
    REQUEST_ASK = "request.ask"  # to each person asked: "Ik doe het" / "Deze keer niet"
    REQUEST_TAKEN = "request.taken"  # to the family: who does it
    REQUEST_GONE = "request.gone"  # to the others asked: it is taken (not by whom)
    REQUEST_EXPIRED = "request.expired"  # to the one who asked, at the end, if nobody took it
    # help both ways (issue 22): a network member or the young person thanks the family
    FAMILY_THANKED = "family.thanked"
    # felt support (issue 23): privately to each family member and the young person, at a review
    SUPPORT_ASK = "support.ask"
    # the network asked too at a review moment (issue 23): each privately; the family sees what is shared
    NETREVIEW_OFFER = "netreview.offer"  # to the family: ask the network too? (whoever runs the circle chooses)
    NETREVIEW = "netreview"  # to each network member: does your part still work for you?
    NETREVIEW_SHARED = "netreview.shared"  # to the family: exactly what the member chose to share
    # not a message: a chat's command menu (set, or deleted), rendered when it is sent
    MENU = "menu"
