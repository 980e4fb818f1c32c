"""How long the plan's files take to make: the picture, the A4 plan, how it went and the calendar,
for circles of growing size, in Dutch and in Arabic (shaped, right to left). Median of a few runs,
after one to warm up (the first render loads the fonts). Then each file's CPU time and its peak
memory above idle, measured once in a fresh worker process as the bot's renderer starts one
(libraries loaded and one small picture drawn: that is idle; goal ≤ 60 MB above it)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from bot.db.models import (
    Agreement,
    AgreementStatus,
    CheckinAnswerKind,
    Frequency,
    Member,
    MemberRole,
    PlanStep,
    Schedule,
    StepKind,
    SupportKind,
    Visibility,
)
from bot.i18n import use_language
from bot.plan_files import calendar, layout, render
from bot.services.agreements import AgreementView
from bot.services.authz import Role
from bot.services.how_it_went import AgreementResult, HowItWent, Round
from bot.services.plan_view import PlanView
from bot.services.safety_plan import SafetyPlan, StepView

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
RUNS = 5


def _circle(people: int) -> tuple[PlanView, HowItWent]:
    family = [
        Member(id=1, display_name="Fatima", role=MemberRole.FAMILY),
        Member(id=2, display_name="Omar", role=MemberRole.FAMILY),
    ]
    views = []
    for number in range(people):
        member = Member(id=10 + number, display_name=f"Buur {number + 1}", role=MemberRole.NETWORK)
        for kind in (SupportKind.PRACTICAL, SupportKind.COMPANY):
            schedule = Schedule(
                frequency=Frequency.WEEKLY,
                interval=1,
                weekday=number % 7,
                at_time=datetime(2026, 1, 1, 15).time(),
                starts_on=date(2026, 11, 23),
                time_zone="Europe/Amsterdam",
                remind_hours_before=None,
            )
            agreement = Agreement(
                id=len(views) + 1,
                what=f"Helpen met {kind.value} voor het gezin",
                for_whom=None,
                support_kind=kind,
                status=AgreementStatus.ACTIVE,
                visibility=Visibility.CIRCLE,
            )
            views.append(AgreementView(agreement, member, family[1], schedule))
    steps = [
        StepView(PlanStep(kind=StepKind.ASK, contact_name=f"Contact {n}", phone="06 12345678", text=None), None)
        for n in range(4)
    ]
    view = PlanView(
        SimpleNamespace(id=1, name="Gezin Jansen"),
        Role.COORDINATOR,
        family[0],
        False,
        views,  # type: ignore[arg-type]
        SafetyPlan([], steps),
        [],
        family,
    )
    rounds = [
        Round(NOW - timedelta(weeks=2 * n), Counter({CheckinAnswerKind.GOOD: 1, CheckinAnswerKind.SO_SO: 1}), 1)
        for n in range(6)
    ]
    results = [AgreementResult(v.doer.display_name, v.agreement.what, 8, 1, 2, 1) for v in views]
    return view, HowItWent("Gezin Jansen", NOW - timedelta(weeks=13), NOW, rounds, results)


def _median(make: Callable[[], object]) -> float:
    make()
    times = []
    for _run in range(RUNS):
        started = time.perf_counter()
        make()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _row(language: str, people: int) -> dict[str, object]:
    view, went = _circle(people)
    with use_language(language):

        def picture() -> render.Picture:
            return layout.circle_picture(view, NOW.date())

        return {
            "language": language,
            "people": people,
            "agreements": len(view.agreements),
            "picture s": round(_median(picture), 2),
            "A4 PDF s": round(_median(lambda: layout.printable_plan(view, NOW.date())), 2),
            "how it went s": round(
                _median(lambda: layout.how_it_went_picture(went, AMSTERDAM)),
                2,
            ),
            "calendar ms": round(
                1000 * _median(lambda: calendar.calendar_file(view.agreements, now=NOW, doer_tz=AMSTERDAM)), 1
            ),
            "picture px": f"1080×{picture().height}",
        }


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return float("nan")


def _cost(make: Callable[[], object]) -> tuple[float, float]:
    """CPU ms of ``make()`` and its peak resident memory (MB) above the memory before it."""
    idle = _status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # (Linux: the peak, VmHWM, starts again from here)
    started = time.process_time()
    make()
    return 1000 * (time.process_time() - started), _status_mb("VmHWM") - idle


def _costs_in_a_fresh_worker(language: str, people: int) -> dict[str, object]:
    """In a worker process of its own: libraries loaded, one small picture drawn, then each file once."""
    view, went = _circle(people)
    with use_language(language):
        pages = {
            "picture": layout.picture_page(view, NOW.date()),
            "how it went": layout.how_it_went_page(went, AMSTERDAM),
        }
        printable = layout.printable_pages(view, NOW.date())
        render.png(layout.picture_page(_circle(1)[0], NOW.date()))  # (fonts loaded: the worker is idle now)
    row: dict[str, object] = {"language": language, "people": people}
    for name, make in (
        ("picture", lambda: render.png(pages["picture"])),
        ("A4 PDF", lambda: render.fitted(printable, room=layout.PAPER_ROOM)),
        ("how it went", lambda: render.png(pages["how it went"])),
    ):
        cpu, peak = _cost(make)
        row[f"{name} CPU ms"] = round(cpu)
        row[f"{name} peak MB"] = round(peak, 1)
    return row


def costs(sizes: tuple[int, ...] = (4, 16)) -> list[dict[str, object]]:
    """CPU ms and peak memory above idle per render (goal ≤ 60 MB), each row in a fresh worker."""
    rows = []
    for language in ("nl", "ar"):
        for people in sizes:
            with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as worker:
                rows.append(worker.submit(_costs_in_a_fresh_worker, language, people).result())
    return rows


def run(sizes: tuple[int, ...] = (1, 4, 8, 16)) -> list[dict[str, object]]:
    return [_row(language, people) for language in ("nl", "ar") for people in sizes]
