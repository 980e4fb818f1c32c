"""Files made from the plan: a picture of the circle, a printable A4 plan, calendar entries and a
picture of how it went. People who read little, or read Dutch badly, get something to look at."""
