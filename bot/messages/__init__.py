"""What Kring sends on its own, through the outbox: one renderer per delivery kind
(:mod:`bot.messages.renderers` is the table), and the buttons on those messages, whose presses
the handlers take. Renderers get their data from the services; they do not query."""
