"""What is due when: the outbox, the sender, and the ticker that wakes them.

The database is the source of truth; APScheduler only wakes the process. Nothing lives in an
APScheduler job store, so a restart loses nothing and doubles nothing.
"""
