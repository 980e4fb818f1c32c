"""Kring without Telegram: a fake Bot API server on loopback (:mod:`sandbox.fake_telegram`), the real
application running against it with a simulated clock (:mod:`sandbox.harness`), and the scripted
story of ``kring demo`` (:mod:`sandbox.demo`). The end-to-end tests use the same pieces. Nothing in
``bot`` or ``scheduler`` imports this package."""
