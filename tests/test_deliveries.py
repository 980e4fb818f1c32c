"""Every kind of delivery has one renderer, and renders in every language.

The shared circle is set up through the real application; the rest of the story calls the
services directly (they queue the deliveries as they do for a button press), each step rendering
what it queued while it is still relevant (an answered question is no longer asked).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    AgreementOpinion,
    CheckinRound,
    Circle,
    Delivery,
    Frequency,
    HelpAnswer,
    Invitation,
    Member,
    MemberRole,
    NetworkCheckin,
    NetworkReview,
    OpenRequestAsk,
    Person,
    StepKind,
    StillWorks,
    SupportKind,
    Urgency,
    Visibility,
    YoungCheckin,
)
from bot.i18n import available_languages, use_language
from bot.messages.renderers import RENDERERS
from bot.services import (
    agreements,
    checkins,
    circles,
    contact,
    erasure,
    follow_up,
    giving,
    help_asks,
    joining,
    mentors,
    network_checkins,
    network_reviews,
    notifications,
    open_requests,
    pulse,
    removal,
    safety_plan,
    support,
    young_checkins,
    young_views,
)
from sandbox.harness import Sandbox
from scheduler import planner
from scheduler.sender import MAX_TEXT, Rendered
from tests.journey import GROUP_ID, new_circle, set_up_circle

T = TypeVar("T")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit


def test_every_kind_has_one_renderer() -> None:
    assert set(RENDERERS) == set(DeliveryKind)
    assert all(callable(renderer) for renderer in RENDERERS.values())


class Renders:
    """Renders each new delivery in every language and remembers the kinds that rendered."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.seen: set[int] = set()
        self.rendered: set[str] = set()

    async def new(self) -> None:
        async with self.sandbox.runtime.sessions() as session:  # read only: never committed
            for delivery in await session.scalars(select(Delivery).where(Delivery.id.not_in(self.seen))):
                self.seen.add(delivery.id)
                if await self._in_every_language(session, delivery):
                    self.rendered.add(delivery.kind)
            await session.rollback()

    async def _in_every_language(self, session: AsyncSession, delivery: Delivery) -> bool:
        renderer = RENDERERS[DeliveryKind(delivery.kind)]
        results: dict[str, Rendered | None] = {}
        for code in available_languages():
            with use_language(code):
                results[code] = await renderer(session, delivery)
        if all(result is None for result in results.values()):
            return False  # no longer relevant (the same in every language)
        for code, result in results.items():
            where = f"{delivery.kind} in {code}"
            assert isinstance(result, Rendered), f"{where}: rendered in one language, not in another"
            if result.is_menu:  # commands, each described in at most 256 characters (Telegram's limit)
                assert result.delete or result.commands, where
                for command in result.commands or ():
                    assert 0 < len(command.description) <= 256 and not PLACEHOLDER.search(command.description), where
                continue
            assert result.text.strip() and len(result.text) <= MAX_TEXT, where
            assert not PLACEHOLDER.search(result.text), f"{where}: {result.text!r}"
            for row in result.buttons.inline_keyboard if result.buttons else ():
                for button in row:
                    assert button.text.strip() and not PLACEHOLDER.search(button.text), f"{where}: {button.text!r}"
                    data = button.callback_data
                    assert data is None or len(str(data).encode()) <= MAX_CALLBACK_DATA, f"{where}: {data!r}"
        return True


async def test_every_kind_renders_in_every_language(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    links = await new_circle(c.anna, "Gezin Bakker")  # a family without a group
    await sandbox.user(11, "Lotte").send(f"/start {links['start']}")
    await sandbox.user(12, "Daan").send("/start")
    await sandbox.user(13, "Nicht").send("/start")
    sam = sandbox.user(14, "Sam")
    await sam.send("/start")
    renders = Renders(sandbox)
    await renders.new()  # who joined and who accepted, while the circles were set up
    lies = sandbox.user(5, "Lies")
    await lies.send("/start")
    now = sandbox.clock.now()
    sessions = sandbox.runtime.sessions

    async with sessions() as session:
        circle = await session.scalar(select(Circle).where(Circle.group_chat_id == GROUP_ID))
        assert circle is not None
        circle_id = circle.id
        people = {p.telegram_user_id: p.id for p in await session.scalars(select(Person))}
        members = {
            m.person_id: m.id for m in await session.scalars(select(Member).where(Member.circle_id == circle_id))
        }
    anna, fatima, omar, ayse, kees = (people[user] for user in (900, 1, 2, 3, 4))

    async def step(action: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """One thing happens (in its own transaction); what it queued is rendered at once."""
        async with sessions.begin() as session:
            result = await action(session)
        await renders.new()
        return result

    def weekly() -> agreements.When:
        return agreements.When(frequency=Frequency.WEEKLY, at_time=time(15), weekday=now.weekday())

    async def make(
        by: int, doer: int, what: str, when: agreements.When | None = None, backup: int | None = None
    ) -> Agreement:
        return await step(
            lambda s: agreements.make(
                s,
                circle_id,
                person_id=by,
                doer_member_id=members[doer],
                what=what,
                for_whom="Oma",
                support_kind=SupportKind.PRACTICAL,
                when=when,
                backup_member_id=backup,
                visibility=Visibility.CIRCLE,
                now=now,
            )
        )

    # a second parent asks to join a family without a group; its coordinator confirms
    async def join_bakker(s: AsyncSession) -> int:
        bakker = await s.scalar(select(Circle).where(Circle.group_chat_id.is_(None)))
        assert bakker is not None
        joined = await joining.join_as_family(
            s, bakker, person_id=people[12], display_name="Daan", account_name="Daan B", may_lead=True, now=now
        )
        assert joined.pending
        return joined.member.id

    daan = await step(join_bakker)
    await step(lambda s: joining.decide(s, daan, person_id=people[11], accept=True, now=now))

    # someone in the group asks to be family, and is refused
    async def ask_in_group(s: AsyncSession) -> int:
        joined = await joining.join_as_family(
            s,
            await s.get_one(Circle, circle_id),
            person_id=people[13],
            display_name="Nicht",
            account_name="Nicht N",
            may_lead=False,
            now=now,
        )
        return joined.member.id

    niece = await step(ask_in_group)
    await step(lambda s: joining.decide(s, niece, person_id=fatima, accept=False, now=now))

    # someone opens their invitation and declines
    invited, token = await step(
        lambda s: circles.invite(
            s, circle_id, person_id=fatima, name="Tante Lies", role=MemberRole.NETWORK, helps_with=None, now=now
        )
    )
    await lies.send(f"/start {token}")

    async def decline(s: AsyncSession) -> None:
        invitation = await circles.invitation_of(s, invited.id)
        assert await joining.answer_invitation(
            s, invitation, person_id=people[5], accept=False, account_name="Lies", now=now
        )

    await step(decline)

    # a second account opens a link someone else opened; the family is told
    async def opened_again(s: AsyncSession) -> None:
        invitation = await s.get_one(Invitation, await circles.invitation_of(s, invited.id))
        await joining.tell_link_opened_again(s, invitation, person_id=people[13], now=now)

    await step(opened_again)

    # Lies is invited again, says yes, is confirmed, and is later taken out of the circle
    again, token = await step(
        lambda s: circles.invite(
            s, circle_id, person_id=fatima, name="Tante Lies", role=MemberRole.NETWORK, helps_with=None, now=now
        )
    )
    await lies.send(f"/start {token}")

    async def accept(s: AsyncSession) -> None:
        invitation = await circles.invitation_of(s, again.id)
        assert await joining.answer_invitation(
            s, invitation, person_id=people[5], accept=True, account_name="Lies", now=now
        )

    await step(accept)
    await step(lambda s: joining.decide(s, again.id, person_id=fatima, accept=True, now=now))

    # the young person joins and proposes a trusted adult twice: the parents say yes, then no
    young, token = await step(
        lambda s: circles.invite(
            s, circle_id, person_id=fatima, name="Sam", role=MemberRole.YOUNG, helps_with=None, now=now
        )
    )
    await sam.send(f"/start {token}")

    async def young_accepts(s: AsyncSession) -> None:
        invitation = await circles.invitation_of(s, young.id)
        assert await joining.answer_invitation(
            s, invitation, person_id=people[14], accept=True, account_name="Sam", now=now
        )

    await step(young_accepts)
    await step(lambda s: joining.decide(s, young.id, person_id=fatima, accept=True, now=now))
    for mentor_name, agree in (("Oom Karim", True), ("Juf Mies", False)):
        proposed = await step(
            partial(
                mentors.propose,
                circle_id=circle_id,
                person_id=people[14],
                name=mentor_name,
                reason="Ze luistert",
                now=now,
            )
        )
        await step(partial(mentors.decide, member_id=proposed.id, person_id=fatima, agree=agree, now=now))

    # agreements: asked, accepted, changed, paused, resumed; declined; suggested; stepped back from
    groceries = await make(fatima, kees, "Boodschappen doen", when=weekly(), backup=members[ayse])
    await step(lambda s: agreements.answer(s, groceries.id, person_id=kees, accept=True, reason=None, now=now))
    await step(
        lambda s: agreements.update(
            s,
            groceries.id,
            person_id=fatima,
            what="Boodschappen doen en koken",
            for_whom=None,
            support_kind=SupportKind.PRACTICAL,
            when=weekly(),
            backup_member_id=members[ayse],
            visibility=Visibility.CIRCLE,
            now=now,
        )
    )
    for change in ("pause", "resume"):
        await step(partial(agreements.change, agreement_id=groceries.id, person_id=fatima, change=change, now=now))
    # the young person (who joined above) says what they think of an agreement; the coordinators hear it
    sam_person = people[14]
    await step(
        lambda s: young_views.give_opinion(
            s, groceries.id, person_id=sam_person, opinion=AgreementOpinion.DOES_NOT_HELP, now=now
        )
    )
    soup = await make(fatima, ayse, "Soep koken")
    await step(lambda s: agreements.answer(s, soup.id, person_id=ayse, accept=False, reason="Geen tijd", now=now))
    await make(anna, omar, "Huiswerk samen")
    walks = await make(fatima, kees, "Wandelen")
    await step(lambda s: agreements.answer(s, walks.id, person_id=kees, accept=True, reason=None, now=now))
    await step(lambda s: agreements.step_back(s, walks.id, person_id=kees, now=now))

    # three weeks of reminders: done and thanked; not done, the backup cannot; not done, the backup can
    for week in range(3):
        await step(
            partial(planner.plan_due, now=now + timedelta(weeks=week, hours=1), default_tz=sandbox.settings.timezone)
        )
    async with sessions() as session:
        occurrences = list(
            await session.scalars(
                select(AgreementOccurrence.id)
                .where(AgreementOccurrence.agreement_id == groceries.id)
                .order_by(AgreementOccurrence.occurs_at)
            )
        )
    assert len(occurrences) >= 3, occurrences
    first, second, third = occurrences[:3]
    for occurrence, person, answer in [
        (first, kees, "done"),
        (second, kees, "cant"),
        (second, ayse, "bcant"),
        (third, kees, "cant"),
        (third, ayse, "bdone"),
    ]:
        await step(partial(agreements.report, occurrence_id=occurrence, person_id=person, answer=answer, now=now))
    await step(lambda s: agreements.thank(s, first, person_id=fatima, now=now))
    await step(lambda s: agreements.change(s, groceries.id, person_id=fatima, change="end", now=now))

    # the family's check-ins
    await step(lambda s: checkins.start_now(s, circle_id, person_id=fatima, now=now))

    async def review(s: AsyncSession) -> None:  # as the planner queues it every few check-ins
        checkin = await checkins.start_now(s, circle_id, person_id=fatima, now=now + timedelta(days=1))
        assert checkin is not None
        await outbox.enqueue(
            s,
            key=f"review:{checkin.id}",
            kind=DeliveryKind.REVIEW,
            chat_id=circle.group_chat_id or 0,
            due_at=now,
            now=now,
            circle_id=circle_id,
            payload={"round_id": checkin.id, "expires_at": (now + timedelta(days=1)).isoformat()},
        )
        checkin.with_review = True  # felt support, privately to each family member and the young person
        await support.ask(s, circle, checkin, now=now)

    await step(review)

    # the network asked too at that review moment (issue 23): offered, asked, answered, shared
    async def offer_network(s: AsyncSession) -> int:
        latest = await s.scalar(select(CheckinRound).order_by(CheckinRound.id.desc()).limit(1))
        assert latest is not None
        latest.with_review = True
        assert await network_reviews.offer(s, await s.get_one(Circle, circle_id), latest, now=now)
        return latest.id

    round_id = await step(offer_network)
    await step(lambda s: network_reviews.ask(s, round_id, person_id=fatima, now=now))
    async with sessions() as session:
        review_id = await session.scalar(select(NetworkReview.id).where(NetworkReview.member_id == members[ayse]))
    assert review_id is not None
    await step(lambda s: network_reviews.answer(s, review_id, person_id=ayse, still_works=StillWorks.NO, now=now))
    await step(lambda s: network_reviews.rather_else(s, review_id, person_id=ayse, text="Liever koken", now=now))
    await step(lambda s: network_reviews.share(s, review_id, person_id=ayse, shared=True, now=now))

    # a network member's own check-ins: chosen, asked, wants to talk, stopped
    schedule = await step(
        lambda s: network_checkins.choose(s, circle_id, members[kees], person_id=fatima, weeks=3, now=now)
    )
    assert schedule is not None
    await step(lambda s: network_checkins.plan(s, schedule, [now + timedelta(hours=1)], now=now))
    async with sessions() as session:
        checkin_id = await session.scalar(select(NetworkCheckin.id))
    assert checkin_id is not None
    await step(lambda s: network_checkins.tell_family(s, checkin_id, person_id=kees, now=now))
    await step(lambda s: network_checkins.stop(s, circle_id, person_id=kees, now=now))

    # the young person's own check-in: asked, shares one answer, tells a parent and their mentor (Kees)
    sam_id = sam_person

    async def kees_is_mentor(s: AsyncSession) -> None:
        (await s.get_one(Member, members[kees])).mentor_of_member_id = young.id

    await step(kees_is_mentor)
    async with sessions() as session:
        young_schedule = await young_checkins.current(session, young.id)
    assert young_schedule is not None
    await step(lambda s: young_checkins.plan(s, young_schedule, [now + timedelta(hours=1)], now=now))
    async with sessions() as session:
        young_checkin = await session.scalar(select(YoungCheckin.id))
    assert young_checkin is not None
    for field, value in (("overall", "not_good"), ("at_home", "good"), ("at_school", None), ("talk", "mentor")):
        await step(
            partial(
                young_checkins.answer, checkin_id=young_checkin, person_id=sam_id, field=field, value=value, now=now
            )
        )
    await step(partial(young_checkins.toggle_share, checkin_id=young_checkin, person_id=sam_id, field="at_home"))
    await step(partial(young_checkins.finish_sharing, checkin_id=young_checkin, person_id=sam_id, share=True, now=now))
    await step(partial(young_checkins.tell_parent, checkin_id=young_checkin, person_id=sam_id, now=now))
    await step(partial(young_checkins.tell_mentor, checkin_id=young_checkin, person_id=sam_id, now=now))

    # when help is needed: a named person is asked and answers; the professional is asked
    async def ask_for_help(s: AsyncSession) -> int:
        plan_step = await safety_plan.add_step(
            s, circle_id, person_id=fatima, kind=StepKind.ASK, member_id=members[ayse], now=now
        )
        asked = await help_asks.ask(s, plan_step.id, person_id=omar, chat_id=2, private=True, now=now)
        return asked.request.id

    ask_id = await step(ask_for_help)
    await step(lambda s: help_asks.answer(s, ask_id, person_id=ayse, answer=HelpAnswer.CALL, now=now))
    await step(lambda s: giving.thank(s, circle_id, person_id=ayse, now=now))  # help both ways
    request = await step(
        lambda s: contact.request(
            s, circle_id, person_id=omar, urgency=Urgency.TODAY, message="Bel even", private=False, now=now
        )
    )
    await step(lambda s: contact.answer(s, request.id, person_id=anna, answer="today", now=now))
    await step(lambda s: contact.add_answer_text(s, request.id, person_id=anna, text="Om vier uur", now=now))

    # the pulse: switched on, sent to the professional, shown to the family
    pulse_schedule = await step(lambda s: pulse.choose(s, circle_id, person_id=fatima, weeks=2, now=now))
    assert pulse_schedule is not None

    async def a_pulse(s: AsyncSession) -> None:
        await pulse.queue(
            s, await s.get_one(Circle, circle_id), pulse_schedule, since=now, until=now, now=now, key="pulse:test"
        )

    await step(a_pulse)

    async def shown(s: AsyncSession) -> None:
        sent = await s.scalar(select(Delivery).where(Delivery.key == "pulse:test"))
        assert sent is not None
        rendered = await RENDERERS[DeliveryKind.PULSE](s, sent)
        assert rendered is not None and rendered.after_sent is not None
        await rendered.after_sent(s, sent)

    await step(shown)

    # an open request: asked privately, taken by one, the others told; "nobody took it" was queued
    posted = await step(
        lambda s: open_requests.post(
            s, circle_id, person_id=fatima, what="Boodschappen", member_ids=None, days=3, now=now
        )
    )

    async def kees_takes_it(s: AsyncSession) -> None:
        (ask_id,) = await s.scalars(
            select(OpenRequestAsk.id).where(
                OpenRequestAsk.request_id == posted.id, OpenRequestAsk.member_id == members[kees]
            )
        )
        await open_requests.answer(s, ask_id, person_id=kees, yes=True, now=now)

    await step(kees_takes_it)

    # someone can no longer be reached (as the sender tells the family after a 403)
    await step(
        lambda s: notifications.tell_family(
            s,
            circle,
            kind=DeliveryKind.MEMBER_UNREACHABLE,
            key="member.unreachable:test",
            payload={"member_id": members[omar]},
            now=now,
        )
    )

    # the end of the follow-up: asked, answered, ended
    ends_on = circle.follow_up_ends_on
    assert ends_on is not None
    await step(lambda s: follow_up.run_due(s, now=follow_up.ask_moment(circle)))
    await step(lambda s: follow_up.answer(s, circle_id, person_id=fatima, ends_on=ends_on, extend=False, now=now))
    await step(lambda s: follow_up.run_due(s, now=follow_up.end_moment(circle) + timedelta(minutes=1)))

    # someone is taken out, someone leaves, someone is forgotten, the circle is dissolved
    await step(lambda s: removal.remove(s, again.id, person_id=fatima, now=now))
    await step(lambda s: circles.leave(s, circle_id, person_id=ayse, now=now))

    async def forget_kees(s: AsyncSession) -> None:
        await erasure.forget_person(s, await s.get_one(Person, kees), now=now)

    await step(forget_kees)
    await step(lambda s: erasure.dissolve(s, circle_id, person_id=fatima, now=now))

    assert renders.rendered == set(DeliveryKind)
