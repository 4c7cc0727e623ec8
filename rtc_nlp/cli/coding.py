"""``rtc-nlp code``: code a wave with a codebook, learn from every correction, ask what teaches
most, and state the accuracy a random audit finds."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io.sheets import xlsx_bytes
from ..italian import italian_table
from ..results.folder import check_output
from ..schema import ID, TEXT
from .input import input_record, read_questions_of

__all__ = ["code_command"]


def code_command(args: argparse.Namespace) -> int:
    """Code the answers of ``args.input`` (one question, or each question with its codebook)."""
    from ..coding.codebook import Codebook
    from ..io.questions import read_questions, staged, write_questions

    out = Path(args.out)
    single = [args.input, args.codebook, args.manual, args.audited, args.learned]
    inputs = [Path(p) for p in [*single, *(args.overrides or [])] if p]
    check_output(out, inputs, args.overwrite)
    books = read_questions(args.codebook) if Path(args.codebook).is_dir() else None
    if books is None:
        book = Codebook.load(args.codebook)  # before the answers are read: a bad codebook stops first
    args.split, args.keep_interviewer, args.interviewer_tag = None, False, None
    questions = read_questions_of(args, named=books is not None)
    if questions[0][0] is None and books is None:
        return _code_one(args, questions[0][1], book, out)
    if books is None:
        raise InputError(
            f"holds one codebook, but the answers hold {len(questions)} questions: give the folder of "
            "codebooks that 'rtc-nlp codebook' wrote for them",
            path=args.codebook,
        )
    if args.manual or args.overrides or args.audited or args.learned:
        raise InputError(
            "--manual, --overrides, --audited and --learned belong to one question: code that question on its "
            f"own (--text-column with its column), with its codebook from {args.codebook}",
            path=args.input,
        )
    by_name = {q.name: q for q in books}
    lacking = [q.name for q, _ in questions if q.name not in by_name]
    if lacking:
        raise InputError(
            f"has no codebook for the question(s) {lacking}; it has: {list(by_name)}",
            path=args.codebook,
        )
    with staged(out) as staging:
        for question, answers in questions:
            print(f"\n=== {question.name} -> {out / question.folder}{os.sep}")
            folder = Path(args.codebook) / by_name[question.name].folder
            book = Codebook.load(folder / "codebook.json")
            _code_one(args, answers, book, staging / question.folder, out / question.folder)
        write_questions(staging, [q for q, _ in questions], command="code", input=str(args.input))
    return 0


def _labelled(args: argparse.Namespace, answers: pd.DataFrame, book: Any) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Everything the analyst has labelled, read before anything is coded: this wave's
    corrections (every ``--overrides`` sheet and a filled ``--audited`` sheet), its manual codes,
    and the labelled answers of earlier waves (``--learned``). Returns the corrections (``id``,
    ``codes``), the labelled answers the coder learns from (``text``, ``codes``, ``source``) and
    the audit's figures."""
    from ..coding.audit import audit_estimate, read_audit
    from ..coding.manual_codes import manual_examples
    from ..coding.review import read_corrections
    from ..results.folder import read_labels

    sources: list[Any] = list(args.overrides or [])
    audit: dict[str, Any] = {}
    if args.audited:
        checked = read_audit(args.audited, book)
        audit = {"sheet": str(args.audited), **audit_estimate(checked, seed=args.seed)}
        sources.append(checked.rename(columns={"correct_codes": "corrected_codes"})[[ID, "corrected_codes"]])
    corrections = read_corrections(sources, book, known_ids=answers[ID]) if sources else None
    texts = dict(zip(answers[ID].astype(str), answers[TEXT].astype(str)))
    parts = []
    if corrections is not None and len(corrections):
        parts.append(
            pd.DataFrame({TEXT: corrections[ID].map(texts), "codes": corrections["codes"], "source": "correction"})
        )
    if args.manual:
        manual = manual_examples(args.manual, answers, book, code_column=args.manual_code_column)
        parts.append(pd.DataFrame({TEXT: manual[TEXT], "codes": manual["theme_id"].astype(str), "source": "manual"}))
    if args.learned:
        earlier = read_labels(args.learned, book)
        parts.append(earlier.assign(source="earlier wave"))
    labelled = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[TEXT, "codes", "source"])
    # An answer without codes was corrected to "non classificato": that teaches the coder too.
    labelled = labelled.assign(codes=labelled["codes"].fillna("").astype(str)).drop_duplicates(TEXT, keep="first")
    return corrections, labelled.reset_index(drop=True), audit


def _code_one(args: argparse.Namespace, answers: pd.DataFrame, book: Any, out: Path, shown: Path | None = None) -> int:
    """Code one question's answers with its codebook and write them to ``out``; the lines printed
    name ``shown``, where the files end up (``out`` may be a staging folder)."""
    from ..coding.audit import audit_sample
    from ..coding.coder import CodebookCoder
    from ..coding.learner import active_queue
    from ..coding.review import apply_overrides, review_queue
    from ..results.folder import AUDIT_SHEET, REVIEW_SHEET, write_coded
    from ..schema import versions

    corrections, labelled, audit = _labelled(args, answers, book)
    coder = CodebookCoder(
        book,
        args.embedder,
        min_similarity=args.min_similarity,
        max_codes=args.max_codes,
        manual=labelled if len(labelled) else None,
        learn=not args.no_learning,
        student_above=args.student_above or None,
        n_jobs=args.jobs,
        random_state=args.seed,
        verbose=True,
    ).fit(answers)
    coded = coder.code(answers)
    candidates = coder.new_themes(coded)
    if corrections is not None:
        coded = apply_overrides(coded, corrections, book)
    # The queue asks what teaches most: the smallest margins, no near-copies in one batch.
    open_rows = np.flatnonzero(coded["status"].isin(["theme", "unclassified"]).to_numpy())
    picked = active_queue(coder.scores_, coder.vectors_, open_rows, args.review)
    queue = italian_table(review_queue(coded, book, args.review, rows=picked), digits=None, yes_no=False)
    sheets = {REVIEW_SHEET: xlsx_bytes({"da rivedere": queue})}  # before anything is written
    if args.audit:
        drawn = audit_sample(coded, args.audit, seed=args.seed)
        sheets[AUDIT_SHEET] = xlsx_bytes({"verifica": italian_table(drawn, digits=None, yes_no=False)})
    learning = _learning_record(coder, labelled)
    run = {
        "command": "code",
        "input": str(args.input),
        "input_sha256": answers.attrs.get("sha256", ""),
        **input_record(args, answers),
        "embedder": coder.embedder_.description,
        "parameters": {
            "min_similarity": args.min_similarity,
            "min_similarity_used": coder.min_similarity_,
            "student_above": args.student_above or None,
            "max_codes": args.max_codes,
            "manual": args.manual,
            "overrides": args.overrides,
            "learned": args.learned,
            "learning": not args.no_learning,
            "review": args.review,
            "audit": args.audit,
            "seed": args.seed,
        },
        "codebook": {"name": book.name, "revision": book.revision},
        "learning": learning,
        **({"audit": audit} if audit else {}),
        **({"fast_path": coder.fast_path_} if coder.fast_path_ else {}),
        "versions": versions(),
        "redaction": answers.attrs.get("redaction"),
    }
    written = write_coded(
        out, coded, book, new_themes=candidates, sheets=sheets, run=run, learner=coder.learner_, labels=labelled
    )
    _say(args, coded, coder, candidates, learning, audit, shown or out)
    print(f"wrote {', '.join(path.name for path in written)} to {shown or out}{os.sep}")
    return 0


def _learning_record(coder: Any, labelled: pd.DataFrame) -> dict[str, Any]:
    """What the coder learned from, for ``run.json`` and the summary."""
    counts = labelled["source"].value_counts() if len(labelled) else pd.Series(dtype=int)
    learner = coder.learner_
    return {
        "labelled_answers": int(len(labelled)),
        "by_source": {str(k): int(v) for k, v in counts.items()},
        "codes_learned": int(learner.learned_.sum()) if learner is not None else 0,
        "learned": learner is not None,
    }


def _say(
    args: argparse.Namespace,
    coded: pd.DataFrame,
    coder: Any,
    candidates: pd.DataFrame,
    learning: dict,
    audit: dict,
    where: Path,
) -> None:
    """The summary of a coded wave: counts, learning, audit, prevalence, candidate themes."""
    from ..results.folder import AUDIT_SHEET, NEW_THEMES, REVIEW_SHEET

    status = coded["status"].value_counts()
    usable = int(len(coded) - status.get("non_answer", 0))
    coded_n = status.get("theme", 0) + status.get("reviewed", 0)
    print(
        f"{len(coded)} answers: {coded_n} coded ({coded_n / max(usable, 1):.0%} of the usable ones), "
        f"{status.get('unclassified', 0)} non classificato, {status.get('non_answer', 0)} non-answers, "
        f"{int(coded['codes'].str.contains(';').sum())} with two or more codes"
        + (f", {coded.attrs.get('n_overrides', 0)} corrected by review" if "n_overrides" in coded.attrs else "")
        + f"; threshold {coder.min_similarity_:.3f}"
    )
    if learning["learned"]:
        sources = ", ".join(f"{n} {source}" for source, n in learning["by_source"].items())
        print(
            f"learned from {learning['labelled_answers']} labelled answers ({sources}) and the codebook's examples: "
            f"{learning['codes_learned']} codes corrected by their labels"
        )
    elif not args.no_learning:
        print("no labelled answers yet: the codebook's prototypes code alone (correct review.xlsx to teach it)")
    if audit:
        if audit["checked"]:
            kappa = (
                f", kappa {audit['kappa']:.2f} [{audit['kappa_ci'][0]:.2f}, {audit['kappa_ci'][1]:.2f}]"
                if audit["kappa"] is not None and audit["kappa_ci"]
                else ""
            )
            low, high = audit["accuracy_ci"]
            print(
                f"audit ({audit['checked']} answers drawn at random and checked): the codes proposed then were "
                f"right for {audit['accuracy']:.0%} [95% interval {low:.0%}, {high:.0%}]{kappa}"
            )
        else:
            print(f"audit: no answer of {args.audited} checked yet (write the right codes, or ok, in its last column)")
    print(f"review queue: {args.review} answers the coder is least sure of, no near-copies ({where / REVIEW_SHEET})")
    if args.audit:
        print(
            f"audit sheet: {min(args.audit, usable)} answers drawn at random ({where / AUDIT_SHEET}): check them, "
            "then --audited, to state the coder's accuracy"
        )
    fast = coder.fast_path_
    if fast:
        print(
            f"fast path ({fast['distinct_answers']} distinct answers, above --student-above): the encoder embedded "
            f"{fast['encoder_answers']} (a sample, and the {fast['routed']} a lexical student of it was unsure of); "
            f"the student the rest"
        )
    prevalence = coded[coded["theme_id"] > 0].groupby(["theme_id", "theme_label"]).size()
    for (theme_id, label), count in prevalence.items():
        print(f"  [{theme_id}] {label}: {count}")
    likely = candidates[candidates["likely_new"]] if len(candidates) else candidates
    print(
        f"{len(candidates)} candidate new themes ({len(likely)} far from every existing theme); "
        f"see {where / NEW_THEMES}"
    )
    for row in likely.head(5).itertuples():
        nearest = f"nearest: {row.nearest_theme_label}, {row.nearest_similarity:.2f}"
        print(f"  + {row.label} ({row.size} answers; {nearest})")
