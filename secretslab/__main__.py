"""``python -m secretslab`` runs the command-line interface."""

from .cli import entry

entry()
