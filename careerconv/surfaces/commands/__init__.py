"""One module per ``careerconv`` command; each exposes ``register(subparsers, parent)``."""
