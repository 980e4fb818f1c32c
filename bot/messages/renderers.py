"""The outbox's renderers: one for every kind of delivery, in one table.

A renderer turns a delivery row into the message text and buttons, in the recipient's language
(the sender sets it), or returns ``None`` when the message is no longer relevant. The functions
live in this package, a module per feature; this table is the one place that says which renders
what.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.db.delivery_kinds import DeliveryKind
from bot.messages import (
    checkins,
    contact,
    data_rights,
    follow_up,
    giving,
    help,
    membership,
    mentors,
    menus,
    network_checkins,
    network_reviews,
    notices,
    open_requests,
    pulse,
    support,
    young_checkins,
    young_views,
)
from scheduler.sender import Renderer

RENDERERS: Mapping[DeliveryKind, Renderer] = MappingProxyType(
    {
        DeliveryKind.MEMBER_DECLINED: notices.member_declined,
        DeliveryKind.MEMBER_LEFT: notices.member_left,
        DeliveryKind.MEMBER_UNREACHABLE: notices.member_unreachable,
        DeliveryKind.MEMBER_FORGOTTEN: data_rights.member_forgotten,
        DeliveryKind.MEMBER_REMOVED: membership.member_removed,
        DeliveryKind.MEMBER_REMOVED_YOU: membership.removed_you,
        DeliveryKind.JOIN_ASKED: membership.join_asked,
        DeliveryKind.JOIN_CONFIRMED: membership.join_confirmed,
        DeliveryKind.JOIN_REFUSED: membership.join_refused,
        DeliveryKind.LINK_OPENED_AGAIN: membership.link_opened_again,
        DeliveryKind.CIRCLE_DISSOLVED: data_rights.circle_dissolved,
        DeliveryKind.FAMILY_THANKED: giving.thanked,
        DeliveryKind.MENTOR_PROPOSED: mentors.proposed,
        DeliveryKind.MENTOR_AGREED: mentors.agreed,
        DeliveryKind.MENTOR_REFUSED: mentors.refused,
        DeliveryKind.AGREEMENT_ASK: notices.agreement_ask,
        DeliveryKind.AGREEMENT_SUGGESTED: notices.agreement_suggested,
        DeliveryKind.AGREEMENT_ACCEPTED: notices.agreement_accepted,
        DeliveryKind.AGREEMENT_DECLINED: notices.agreement_declined,
        DeliveryKind.AGREEMENT_STEPPED_BACK: notices.agreement_stepped_back,
        DeliveryKind.AGREEMENT_PAUSE: notices.agreement_paused,
        DeliveryKind.AGREEMENT_RESUME: notices.agreement_resumed,
        DeliveryKind.AGREEMENT_END: notices.agreement_ended,
        DeliveryKind.AGREEMENT_CHANGED: notices.agreement_changed,
        DeliveryKind.AGREEMENT_REMINDER: notices.reminder,
        DeliveryKind.YOUNG_OPINION: young_views.opinion_told,
        DeliveryKind.OCCURRENCE_DONE: notices.occurrence_done,
        DeliveryKind.OCCURRENCE_NOT_DONE: notices.occurrence_not_done,
        DeliveryKind.OCCURRENCE_BACKUP_ASK: notices.backup_ask,
        DeliveryKind.OCCURRENCE_BACKUP_DONE: notices.backup_done,
        DeliveryKind.OCCURRENCE_BACKUP_CANT: notices.backup_cant,
        DeliveryKind.OCCURRENCE_THANKS: notices.thanks,
        DeliveryKind.CHECKIN: checkins.checkin_message,
        DeliveryKind.CHECKIN_NUDGE: checkins.nudge,
        DeliveryKind.REVIEW: checkins.review,
        DeliveryKind.NETCHECKIN: network_checkins.checkin_message,
        DeliveryKind.NETCHECKIN_CHOSEN: network_checkins.chosen,
        DeliveryKind.NETCHECKIN_STOPPED: network_checkins.stopped,
        DeliveryKind.NETCHECKIN_TALK: network_checkins.wants_to_talk,
        DeliveryKind.YOUNG_CHECKIN: young_checkins.checkin_message,
        DeliveryKind.YOUNG_SHARED: young_checkins.shared,
        DeliveryKind.YOUNG_HARD: young_checkins.hard_time,
        DeliveryKind.YOUNG_TALK_MENTOR: young_checkins.talk_to_mentor,
        DeliveryKind.HELP_ASK: help.ask_message,
        DeliveryKind.HELP_ANSWER: help.answer_message,
        DeliveryKind.CONTACT_REQUEST: contact.request_message,
        DeliveryKind.CONTACT_ANSWER: contact.answer_message,
        DeliveryKind.CONTACT_ANSWER_TEXT: contact.answer_text_message,
        DeliveryKind.CONTACT_TIMEOUT: contact.timeout_message,
        DeliveryKind.PULSE: pulse.pulse_message,
        DeliveryKind.PULSE_SHOWN: pulse.pulse_shown,
        DeliveryKind.PULSE_SWITCHED: pulse.pulse_switched,
        DeliveryKind.FOLLOWUP_ASK: follow_up.ask_message,
        DeliveryKind.FOLLOWUP_ANSWER: follow_up.answer_message,
        DeliveryKind.FOLLOWUP_GOODBYE: follow_up.goodbye,
        DeliveryKind.FOLLOWUP_HANDOVER: follow_up.handover,
        DeliveryKind.REQUEST_ASK: open_requests.ask_message,
        DeliveryKind.REQUEST_TAKEN: open_requests.taken,
        DeliveryKind.REQUEST_GONE: open_requests.gone,
        DeliveryKind.REQUEST_EXPIRED: open_requests.expired,
        DeliveryKind.SUPPORT_ASK: support.ask_message,
        DeliveryKind.NETREVIEW_OFFER: network_reviews.offer_message,
        DeliveryKind.NETREVIEW: network_reviews.ask_message,
        DeliveryKind.NETREVIEW_SHARED: network_reviews.shared_message,
        DeliveryKind.MENU: menus.menu,
    }
)

if missing := set(DeliveryKind) - set(RENDERERS):
    raise RuntimeError(f"no renderer for {sorted(missing)}")
