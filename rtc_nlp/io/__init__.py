"""Input: the answers as the analyst's files hold them, read, split and made safe.

``reading`` reads CSV (delimiter and encoding detected), XLSX and Parquet; ``interviews`` cuts
transcripts into snippets; ``questions`` splits a file of several open questions, one results
sub-folder each; ``redact`` replaces personal data before anything is embedded or written;
``sheets`` writes spreadsheet-safe CSV and XLSX.
"""

from .interviews import read_interviews, split_snippets
from .reading import read_answers

__all__ = ["read_answers", "read_interviews", "split_snippets"]
