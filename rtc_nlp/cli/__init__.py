"""The ``rtc-nlp`` command: ``commands`` runs each subcommand (``main`` is the entry point) and
``coding`` the ``code`` subcommand with its learning loop; ``parser`` defines their options,
``input`` reads the files they are given, ``summary`` prints what a run found."""

from .commands import main

__all__ = ["main"]
