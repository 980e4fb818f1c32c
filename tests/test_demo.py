"""``kring demo``: the story runs on the real application and shows what people would see."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.demo import run_demo


async def test_the_demo_story_shows_the_journey_so_far(tmp_path: Path) -> None:
    out = io.StringIO()
    before = set(Path(tempfile.gettempdir()).glob("kring-demo-*"))
    status = await run_demo(load_settings({"KRING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/unused.db"}), out=out)
    story = out.getvalue()
    assert status == 0
    assert "Fatima → Kring (privé met Fatima): /start" in story
    assert "Hallo! Ik ben Kring." in story
    assert "Hello! I am Kring." in story  # Daniel's app is in English
    assert "Daniel drukt op [Nederlands]" in story
    assert "Klaar. Ik schrijf je vanaf nu in het Nederlands." in story
    assert "Dat commando ken ik niet." in story
    assert "maandag 23 november 10:00" in story  # the simulated clock, in Babel's Dutch
    assert set(Path(tempfile.gettempdir()).glob("kring-demo-*")) == before  # nothing left behind
    assert not (tmp_path / "unused.db").exists()  # the demo never touches the configured database


@pytest.mark.parametrize("args", [["demo"], []], ids=["kring demo", "kring without a token"])
def test_kring_demo_runs_as_a_command(tmp_path: Path, args: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}
    result = subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Klaar. De demo duurde" in result.stdout
    assert result.stderr == ""
    assert list(tmp_path.iterdir()) == []  # no database or data folder left in the working folder
