"""Pictures and PDFs are rendered off the event loop, in worker processes: while one person's
picture is made, the bot goes on for everyone else; a render that fails or hangs gives the text plan;
the bot itself does not load the rendering libraries.

(That another chat's ``/help`` is *answered* during a render also needs concurrent handling of
updates; here the event loop's own freedom is measured.)"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.handlers import plan_pictures
from bot.plan_files import pool, render
from sandbox.harness import Sandbox
from tests.journey import make_agreement, set_up_circle
from tests.slow_render import slow_png
from tests.test_plan_files import PICTURE, open_picture, press_under_plan

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("weasyprint", "pypdfium2", "pydyf", "fontTools", "PIL")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(render_workers=1)  # the real path: a worker process


async def _circle_with_a_plan(sandbox: Sandbox):  # type: ignore[no-untyped-def]
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Buurman Kees", "Fietsen maken", kind="💡 advies")
    await c.kees.press(sandbox.telegram.messages_in(4)[-1], "Ja, dat doe ik")
    return c


async def _longest_pause(during: asyncio.Task[object]) -> float:
    """The longest the event loop went without running a 10 ms timer while ``during`` ran."""
    longest, last = 0.0, time.monotonic()
    while not during.done():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        longest, last = max(longest, now - last - 0.01), now
    return longest


async def test_the_event_loop_stays_free_while_a_picture_is_rendered(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = await _circle_with_a_plan(sandbox)
    open_picture(await press_under_plan(c.fatima, PICTURE))  # (the worker started and loaded its libraries)
    monkeypatch.setattr(render, "png", slow_png)  # (the worker unpickles it by its name)
    press = asyncio.create_task(press_under_plan(c.fatima, PICTURE))
    longest = await _longest_pause(press)
    open_picture(await press)
    assert longest < 0.5, f"the event loop stood still for {longest:.2f} s during a render"
    renderer = sandbox.app.bot_data[plan_pictures.RENDERER]
    assert not renderer.in_process and renderer.started == 1


async def test_a_render_that_hangs_gives_the_text_plan_and_the_next_one_works(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = await _circle_with_a_plan(sandbox)
    renderer = pool.Renderer(1, timeout=0.3, idle_seconds=0.2)
    sandbox.app.bot_data[plan_pictures.RENDERER] = renderer
    monkeypatch.setattr(render, "png", slow_png)
    plan = (await c.fatima.send("/plan"))[-1]
    seen = len(sandbox.telegram.messages_in(c.fatima.id))
    await c.fatima.press(plan, PICTURE)
    sorry, *texts = sandbox.telegram.messages_in(c.fatima.id)[seen:]
    assert sorry.text == "Een plaatje of PDF maken lukt nu niet. Hier is het plan als tekst."
    assert texts and "Fietsen maken" in texts[0].text  # nothing lost: the plan as text

    monkeypatch.undo()
    renderer.timeout = 60
    open_picture(await press_under_plan(c.fatima, PICTURE))
    assert renderer.started == 2  # the stuck worker was ended, a new one drew it
    async with asyncio.timeout(10):  # and without renders the workers stop
        while renderer._pool is not None:
            await asyncio.sleep(0.05)


def _loaded_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has loaded after running ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()[-1]
    return [name for name in json.loads(out) if name.split(".")[0] in HEAVY]


def test_the_bot_does_not_load_the_rendering_libraries() -> None:
    assert _loaded_after("import bot.app, bot.cli") == []


def test_the_start_up_check_for_pictures_runs_elsewhere() -> None:
    """``kring run`` says at once when pictures cannot be made, without loading WeasyPrint itself."""
    assert _loaded_after("from bot import cli\ncli._warn_without_pictures()") == []
