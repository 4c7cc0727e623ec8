"""The ``rtc-nlp`` command: ``commands`` runs each subcommand (``main`` is the entry point),
``parser`` defines its options, ``input`` reads the files it is given, ``summary`` prints what a
run found."""

from .commands import main

__all__ = ["main"]
