"""A real JupyterLab on a free local port, driven through headless Chromium with Playwright.

Nothing is mocked: the server, the kernel, the widget manager and the browser are the ones an
analyst runs. The server gets its own settings, workspace and runtime folders, so what is on the
machine (or an earlier run) cannot change what the test sees. Chromium is Debian's
(``executable_path``): Playwright's own browser download is never used.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Chromium's flags for a closed network: no background connections, no first-run pages.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path, home: Path) -> Iterator[str]:
    """Start JupyterLab serving ``root``; yields its base URL with the token."""
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    # An analyst's answers to JupyterLab's first-run questions: start the notebook's kernel
    # without asking, and no news pop-up over the page.
    settings = {
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": '{"autoStartDefaultKernel": true}',
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false"}',
    }
    for name, text in settings.items():
        (home / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (home / "settings" / name).write_text(text)
    log = open(home / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--allow-root",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (home / "jupyterlab.log").read_text()) from None
                time.sleep(0.5)
        yield f"{base}|{token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def open_notebook(browser: Any, address: str, notebook: str, width: int = 1400) -> Any:
    """Open ``notebook`` in JupyterLab, run all its cells; returns the Playwright page."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    base, token = address.split("|")
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto(f"{base}/lab/tree/{notebook}?token={token}&reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    # Wait for the kernel before running: "Run All" on a kernel still starting is queued anyway,
    # but an idle kernel makes the timings that follow the widgets' own.
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    page.wait_for_selector(".jp-Toolbar-kernelName:has-text('Python')", timeout=120_000)
    # A kernel that reads "idle" a moment before its channels connect drops a "Run All" sent in
    # that moment (seen about one run in three): run again until the first cell has started.
    started = "document.querySelector('.jp-Cell .jp-InputPrompt').textContent.trim() !== '[ ]:'"
    for attempt in range(3):
        page.click(".lm-MenuBar-item:has-text('Run')")
        page.click(".lm-Menu-item:has-text('Run All Cells')")
        try:
            page.wait_for_function(started, timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    return page
