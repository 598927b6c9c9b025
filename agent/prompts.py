"""Fixed texts the controllers use."""

HELP = """Here is what you can say:
- ask: "I want to learn linear algebra", "videos about bread baking", "recommend something"
- steer: "drop crypto", "add astronomy", "more like #2", "not interested in #3",
  "block <channel>", "no more from the channel of #1", "nothing over 10 minutes",
  "only things from the last year", "clear limits", "undo"
- ask about it: "why #2?", "show my interests", "forget <topic>"
"""
