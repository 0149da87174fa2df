"""careerconv: open, local-first software for career conversations.

The package holds all logic; notebooks and the command line are thin surfaces
on top of it. Data flows one way: question sets -> store (the only disk I/O for
records) -> pure transforms (progress, analytics) -> plots -> surfaces.
"""

__version__ = "0.1.0"
