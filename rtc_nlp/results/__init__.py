"""Results: the folder each command writes, and its export to the tools analysts use next.

``folder`` names every file of a results folder, writes it and reads it back (cli, export and
report never spell a file name themselves); ``exporter`` turns a coded results folder into
``formats``: one module per format (CSV, XLSX, Parquet, JSON, SPSS, REFI-QDA).
"""

from .exporter import export, read_reviewed

__all__ = ["export", "read_reviewed"]
