"""Segue's terminal front end: the Textual app and the `segue` command line."""

import os

# Textual draws a changed screen on a 60-a-second clock, and a frame it falls behind on waits
# one to two periods (up to 33 ms after a key, measured while replies streamed). At 120 the
# wait for a key's frame is at most 17 ms. Drawing streamed text is paced separately
# (tui/widgets/reply_sections.py), so the faster clock adds frames only when something changed.
# Set before Textual is imported (it reads this once); a TEXTUAL_FPS the user set wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
