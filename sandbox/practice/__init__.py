"""``kring practice``: a page in the browser where one person plays every member of a circle.

The real application runs against the fake Telegram with a simulated clock (:mod:`sandbox.harness`),
on a SQLite database in a temporary folder; a small aiohttp server on loopback shows each person's
chat as a column. Nothing leaves the machine.
"""
