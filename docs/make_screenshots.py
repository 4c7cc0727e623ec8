"""Rebuild the report screenshots in docs/screenshots/ (Debian's chromium, headless).

Two reports, each at desktop (1400 px) and phone (390 px) width:

* the demo survey: wave 1 themed, its codebook, wave 2 coded with it, compared with wave 1 by
  company size and validated against wave 2's manual codes;
* the report's own groupings (the README's main job), each theme grouping validated against
  the report's coding.

Headless Chromium does not make a window narrower than about 500 px, so the phone view is the
report inside a 390 px iframe. Usage: ``python docs/make_screenshots.py [--work FOLDER]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
from PIL import Image, ImageChops

from rtc_nlp.cli.commands import main

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
TALL = 32000  # pixels: longer than either report at either width


def run(*args: str) -> None:
    if main(list(args)) != 0:
        raise SystemExit(f"rtc-nlp {' '.join(args)} failed")


def demo_report(work: Path) -> Path:
    demo = REPO / "data" / "demo"
    text = ["--text-column", "risposta", "--id-column", "id"]
    run("themes", str(demo / "wave1.csv"), *text, "--out", str(work / "w1"), "--quiet")
    run("codebook", str(work / "w1"), "--out", str(work / "codebook.json"))
    run("code", str(demo / "wave2.csv"), "--codebook", str(work / "codebook.json"), *text, "--out", str(work / "w2"))
    run("compare", str(work / "w1"), str(work / "w2"), "--by", "dimensione", "--out", str(work / "w2" / "comparison"))
    manual = ["--manual", str(demo / "manual_codes_wave2.csv"), "--out", str(work / "w2" / "validation")]
    run("validate", "--pred", str(work / "w2" / "answers_with_codes.csv"), *manual)
    title = ["--title", "Sondaggio dimostrativo: difficoltà percepite (ondata 2)"]
    run("report", str(work / "w2"), "--out", str(work / "demo.html"), *title)
    return work / "demo.html"


def groupings_report(work: Path) -> Path:
    source = REPO / "data" / "report" / "report_groupings.csv"
    out = work / "groupings"
    run("themes", str(source), "--text-column", "text", "--id-column", "item_id", "--question-column", "grouping",
        "--out", str(out), "--quiet")  # fmt: skip
    groupings = pd.read_csv(source, dtype=str, keep_default_na=False)
    for name, part in groupings[groupings["kind"] == "theme"].groupby("grouping"):
        manual = work / f"manual_{name}.csv"
        part[["item_id", "theme"]].rename(columns={"item_id": "id", "theme": "code"}).to_csv(manual, index=False)
        run("validate", "--pred", str(out / name / "answers_with_themes.csv"), "--manual", str(manual),
            "--out", str(out / name / "validation"))  # fmt: skip
    title = ["--title", "Ready to Change: i raggruppamenti del report"]
    run("report", str(out), "--out", str(work / "groupings.html"), *title)
    return work / "groupings.html"


def screenshot(chromium: str, page: Path, width: int, target: Path) -> None:
    """A full-page PNG of ``page`` at ``width`` pixels, trimmed and reduced to 96 colours."""
    host = page.with_name(f"host_{width}.html")
    host.write_text(
        f"<!DOCTYPE html><html><body style='margin:0'><iframe src='{page.name}' "
        f"style='width:{width}px;height:{TALL}px;border:0'></iframe></body></html>",
        encoding="utf-8",
    )
    raw = page.with_name(f"raw_{width}.png")
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={raw}",
         f"--window-size={max(width, 600)},{TALL}", "--virtual-time-budget=10000", host.resolve().as_uri()],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    image = Image.open(raw).convert("RGB").crop((0, 0, width, TALL))
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    image = image.crop((0, 0, width, min(TALL, box[3] + 40)))
    image.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    print(f"{target.relative_to(REPO)}: {image.size[0]} x {image.size[1]}")


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", help="folder for the runs (default: a temporary one)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("needs chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.work or temporary)
        work.mkdir(parents=True, exist_ok=True)
        OUT.mkdir(parents=True, exist_ok=True)
        for name, page in (("demo", demo_report(work / "demo")), ("groupings", groupings_report(work / "groupings"))):
            for width in (1400, 390):
                screenshot(chromium, page, width, OUT / f"report_{name}_{width}.png")


if __name__ == "__main__":
    main_()
