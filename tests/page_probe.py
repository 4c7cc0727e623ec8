"""Open an HTML page in headless Chromium at a given width and report what a reader would meet:
script errors, text overflowing its box, the page wider than the screen, the sections, the
figures drawn.

Headless Chromium will not make a window narrower than about 500 pixels, so the page is opened
inside an iframe of the wanted width: the iframe is the page's viewport, media queries
included. A script added to a copy of the page (the page itself is never changed) measures it
once plotly has drawn and posts the figures to the host page, which ``--dump-dom`` prints.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

_PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message)));
const __consoleError = console.error;
console.error = (...args) => { window.__errors.push(args.join(' ')); __consoleError(...args); };
window.addEventListener('load', () => setTimeout(() => {
  const width = document.documentElement.clientWidth;
  const overflow = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || el.closest('.plotly-graph-div') || el.closest('.scroll')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    const name = el.tagName + (el.className ? '.' + el.className : '');
    if (box.right > width + 1) overflow.push(name + ' ends at ' + Math.round(box.right));
    if (getComputedStyle(el).overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      overflow.push(name + ' holds ' + el.scrollWidth + ' in ' + el.clientWidth);
  }
  const report = JSON.stringify({
    width, page: document.documentElement.scrollWidth, errors: window.__errors, overflow,
    figures: document.querySelectorAll('.plotly-graph-div svg.main-svg').length,
    sections: [...document.querySelectorAll('h2,h3')].map(h => h.textContent),
  });
  parent.postMessage(report, '*');
}, 1500));
</script>"""


def probe(chromium: str, page: Path, width: int, profile: Path) -> dict[str, Any]:
    """What ``page`` shows at ``width`` pixels: ``width`` (the viewport, without its scroll bar),
    ``page`` (how wide the page is), ``errors``, ``overflow``, ``figures``, ``sections``."""
    text = page.read_text(encoding="utf-8")
    probed = page.with_name(f"probed_{width}_{page.name}")
    probed.write_text(text.replace("<head>", "<head>" + _PROBE, 1), encoding="utf-8")
    host = page.with_name(f"host_{width}_{page.name}")
    host.write_text(
        f"<!DOCTYPE html><html><body style='margin:0'><iframe src='{probed.name}' "
        f"style='width:{width}px;height:3000px;border:0'></iframe><script>"
        "window.addEventListener('message', e => { const p = document.createElement('pre');"
        "p.id = 'probe'; p.textContent = e.data; document.body.appendChild(p); });</script></body></html>",
        encoding="utf-8",
    )
    run = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={profile}",
            f"--window-size={max(width, 600)},3000",
            "--virtual-time-budget=10000",
            "--dump-dom",
            host.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found, f"the page never reported back: {run.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))
