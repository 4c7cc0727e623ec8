"""The report's words: Italian numbers, the method note, and validation read in plain Italian."""

from __future__ import annotations

import datetime
import html
from pathlib import Path
from typing import Any

import pandas as pd

from ..coding.significance import ALPHA, LOW_BASE
from ..italian import CORRECTIONS, METRICS, SCOPES

__all__ = ["comparison_note", "method_note", "number", "percent", "validation_section", "verdict"]

# The measures the report shows: agreement as a coder would count it, and beyond chance.
_SHOWN = ["accuracy", "cohen_kappa", "krippendorff_alpha", "ari"]
# Landis and Koch's reading of kappa, the scale analysts know.
_STRENGTH = ((0.2, "lieve"), (0.4, "discreto"), (0.6, "moderato"), (0.8, "buono"), (float("inf"), "molto buono"))


def number(value: Any, digits: int = 2) -> str:
    """``value`` with a decimal comma, as Italian readers write it (``0,41``); ``–`` when missing."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    if value != value:
        return "–"
    value = round(value, digits) + 0.0  # no "-0,00"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(value: Any, digits: int = 1) -> str:
    """A share as an Italian percentage (``0.123`` -> ``12,3%``); ``–`` when missing."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if value != value else number(100 * value, digits) + "%"


def method_note(
    run: dict[str, Any], folder: Path, revision: int | None = None, comparison: pd.DataFrame | None = None
) -> str:
    """One paragraph on how the results were made: command, embedder, seed, codebook revision,
    coding threshold, input file and its hash, redaction, what the coder learned from and the
    accuracy a random audit found, rtc_nlp's version and the date of the results' files; with
    a ``comparison`` (a prevalence table), how its changes were tested and corrected for the
    number of tests."""
    parameters = run.get("parameters", {}) or {}
    seed = parameters.get("seed", parameters.get("random_state"))
    pieces = [
        "temi trovati sulle risposte (rtc-nlp themes)"
        if run.get("command") == "themes"
        else "risposte codificate con un codebook (rtc-nlp code)"
    ]
    if run.get("embedder"):
        pieces.append(f"rappresentazione del testo: {html.escape(str(run['embedder']))}")
    if seed is not None:
        pieces.append(f"seme {html.escape(str(seed))}")
    if revision is not None and run.get("command") != "themes":
        pieces.append(f"codebook alla revisione {revision}")
    if parameters.get("min_similarity_used") is not None:
        pieces.append(f"soglia di somiglianza {number(parameters['min_similarity_used'])}")
    source, digest = run.get("input"), run.get("input_sha256", "")
    if isinstance(source, dict):
        source, digest = source.get("path"), source.get("sha256", "")
    if source:
        hashed = f" (SHA-256 {html.escape(str(digest)[:12])}…)" if digest else ""
        pieces.append(f"dati: {html.escape(Path(str(source)).name)}{hashed}")
    redaction = run.get("redaction")
    if isinstance(redaction, dict):  # counts per kind, never the values
        pieces.append(f"dati personali oscurati prima dell'analisi: {sum(int(v) for v in redaction.values())}")
    learning = run.get("learning") or {}
    if learning.get("learned"):
        pieces.append(f"codifica che ha imparato da {learning['labelled_answers']} risposte codificate dall'analista")
    audit = run.get("audit") or {}
    if audit.get("checked"):
        low, high = audit["accuracy_ci"]
        kappa = ""
        if audit.get("kappa") is not None and audit.get("kappa_ci"):
            k_low, k_high = audit["kappa_ci"]
            kappa = f", kappa di Cohen {number(audit['kappa'])} [{number(k_low)}; {number(k_high)}]"
        pieces.append(
            f"accuratezza stimata su {audit['checked']} risposte estratte a caso e verificate: "
            f"{percent(audit['accuracy'], 0)} [IC 95% {percent(low, 0)}; {percent(high, 0)}]{kappa}"
        )
    if comparison is not None and len(comparison):
        pieces.append(comparison_note(comparison))
    version = (run.get("versions") or {}).get("rtc_nlp")
    if version:
        pieces.append(f"rtc_nlp {html.escape(str(version))}")
    stamps = [p.stat().st_mtime for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    if stamps:
        pieces.append(f"risultati del {datetime.date.fromtimestamp(max(stamps)).strftime('%d/%m/%Y')}")
    return f"<p class='note method'><b>Metodo</b>: {'; '.join(pieces)}.</p>"


def comparison_note(comparison: pd.DataFrame) -> str:
    """How the changes of a prevalence table were flagged, in one Italian clause."""
    correction = str(comparison["correction"].iloc[0]) if "correction" in comparison else "none"
    tested = int(comparison["change_p"].notna().sum()) if "change_p" in comparison else 0
    return (
        f"variazioni tra ondate: test z su due proporzioni, {tested} confronti, "
        f"{html.escape(CORRECTIONS.get(correction, correction))}; segnalate con p corretto &lt; "
        f"{number(ALPHA, 2)}; basi sotto {LOW_BASE} risposte mostrate ma non testate"
    )


def verdict(summary: pd.DataFrame) -> str:
    """One Italian sentence on whether the themes agree with the manual coding, read from
    Cohen's kappa on the answers with a theme: its strength on Landis and Koch's scale, and
    whether it beats chance (the permutation test's p below 0.05)."""
    rows = summary[summary["metric"] == "cohen_kappa"]
    if rows.empty:
        return ""
    answered = rows[rows["scope"] == "answered"]
    r = (answered if len(answered) else rows).iloc[0]
    figures = (
        f"kappa di Cohen {number(r.value)}, IC 95% {number(r.ci_low)}–{number(r.ci_high)}; "
        f"livello casuale {number(r.chance)}; p = {number(r.p_value, 3)}"
    )
    if not (r.p_value == r.p_value and r.p_value < 0.05):
        return f"I temi non concordano con la codifica manuale più di quanto farebbe il caso ({figures})."
    strength = next(name for limit, name in _STRENGTH if r.value < limit)
    return f"L'accordo tra i temi e la codifica manuale è {strength} e superiore al caso ({figures})."


def validation_section(summary: pd.DataFrame) -> str:
    """The verdict, then the measures in Italian with their interval, chance level and p-value."""
    rows = summary[summary["metric"].isin(_SHOWN)]
    body = "".join(
        f"<tr><td>{html.escape(SCOPES.get(str(r.scope), str(r.scope)))}</td>"
        f"<td>{html.escape(METRICS[str(r.metric)])}</td><td class=n>{number(r.value)}</td>"
        f"<td class=n>{number(r.ci_low)}–{number(r.ci_high)}</td>"
        f"<td class=n>{number(getattr(r, 'chance', float('nan')))}</td><td class=n>{number(r.p_value, 3)}</td></tr>"
        for r in rows.itertuples()
    )
    head = "".join(
        f"<th{' class=n' if k > 1 else ''}>{h}</th>"
        for k, h in enumerate(["ambito", "misura", "valore", "IC 95%", "livello casuale", "p"])
    )
    sentence = verdict(summary)
    return (
        (f"<p class=verdict>{html.escape(sentence, quote=False)}</p>" if sentence else "")
        + f"<div class=scroll><table class=validation><tr>{head}</tr>{body}</table></div>"
        + "<p class=note>Il livello casuale è il valore medio con i temi assegnati a caso (stesse dimensioni); "
        "p è la quota di assegnazioni casuali che fa altrettanto bene o meglio.</p>"
    )
