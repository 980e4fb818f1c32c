"""Domain rules and authorisation. No Telegram types in here: handlers translate updates into
plain values, call one service function, and render what it returns."""
