"""Multi-step conversations, one module each, written with :mod:`bot.flows.flow`."""
