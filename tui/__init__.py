"""Segue's terminal front end: the Textual app and the `segue` command line."""

import os

# Textual draws a changed screen on a 60-a-second clock, and a frame it falls behind on waits
# one to two periods: a key's frame came up to 33 ms after the key with nothing else to do
# (traced in the keystroke benchmark), 10-16 ms at 120. At 240 it is at most 8 ms. The clock
# ticks only while something on screen changed, and drawing streamed text is paced on its own
# (tui/widgets/reply_sections.py), so the faster clock does not add work while replies stream.
# Set before Textual is imported (it reads this once); a TEXTUAL_FPS the user set wins.
os.environ.setdefault("TEXTUAL_FPS", "240")
