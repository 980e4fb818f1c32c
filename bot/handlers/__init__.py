"""All handlers, registered in one place. Order matters: group -3 lets each update through once
and only the kinds Kring handles; group -2 slows down a flooding stranger; group -1 finds the
person and sets their language; in group 0 the first matching handler wins, so the
catch-alls in ``fallback`` come last."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.handlers import (
    agreements,
    basics,
    checkins,
    circle_setup,
    contact,
    data_rights,
    errors,
    fallback,
    flood,
    flows,
    follow_up,
    giving,
    help_flow,
    intake,
    language,
    links,
    members,
    membership,
    mentors,
    network_checkins,
    network_reviews,
    open_requests,
    people,
    places,
    plan,
    plan_pictures,
    pulse,
    quiet_hours,
    reminders,
    reviews,
    safety_plan,
    support,
    time_zone,
    who_questions,
    young_checkins,
    young_views,
)

if TYPE_CHECKING:
    from bot.runtime import KringApplication


def register(application: KringApplication) -> None:
    application.add_handlers(intake.handlers(), group=-3)
    application.add_handlers(flood.handlers(), group=-2)
    application.add_handlers(people.handlers(), group=-1)
    application.add_handlers(
        [
            *basics.handlers(),
            *language.handlers(),
            *quiet_hours.handlers(),
            *time_zone.handlers(),
            *circle_setup.handlers(),
            *members.handlers(),
            *plan.handlers(),
            *plan_pictures.handlers(),
            *agreements.handlers(),
            *safety_plan.handlers(),
            *membership.handlers(),
            *mentors.handlers(),
            *open_requests.handlers(),
            *who_questions.handlers(),
            *reminders.handlers(),
            *checkins.handlers(),
            *network_checkins.handlers(),
            *network_reviews.handlers(),
            *young_checkins.handlers(),
            *support.handlers(),
            *help_flow.handlers(),
            *places.handlers(),
            *giving.handlers(),
            *contact.handlers(),
            *young_views.handlers(),
            *pulse.handlers(),
            *follow_up.handlers(),
            *reviews.handlers(),
            *data_rights.handlers(),
            *links.handlers(),
            *flows.handlers(),
            *fallback.handlers(),
        ]
    )
    application.add_error_handler(errors.on_error)
