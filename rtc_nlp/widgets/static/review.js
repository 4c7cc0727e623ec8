// The review widget's view: one answer at a time, worked with the keyboard. The kernel records
// each decision and writes the overrides file; this file draws the answer and reads the keys.

const confidence = (x) => (x === null || x === undefined ? "" : x.toLocaleString("it-IT", { maximumFractionDigits: 2, minimumFractionDigits: 2 }));

function render({ model, el }) {
  el.classList.add("rtc-widget", "rtc-review");
  // The keys below are the widget's: JupyterLab's notebook shortcuts must not see them.
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  hideStaticCopy(el);
  el.tabIndex = 0;
  let picked = new Set();
  let listed = [];
  const send = (content) => model.send(content);

  const head = h("div", { class: "rtc-bar" });
  const bar = h("div", { class: "rtc-progress" }, h("div", { class: "rtc-progress-fill" }));
  const card = h("div", { class: "rtc-card" });
  const search = h("input", { class: "rtc-search", placeholder: "/ cerca un tema", "aria-label": "cerca un tema" });
  const list = h("ol", { class: "rtc-code-list", "aria-label": "codici" });
  const buttons = h("div", { class: "rtc-actions" });
  const status = h("div", { class: "rtc-status", role: "status" });
  const error = h("div", { class: "rtc-error", role: "alert" });
  const keys = h(
    "div",
    { class: "rtc-keys" },
    "Tasti: Invio accetta · 1-9 scelgono i codici · / cerca · 0 nessun tema · S o → salta · ← indietro",
  );
  el.append(head, bar, card, h("div", { class: "rtc-pick" }, search, list), buttons, status, error, keys);

  const confirm = () => (picked.size ? send({ action: "decide", codes: [...picked] }) : send({ action: "accept" }));
  const toggle = (id) => {
    picked.has(id) ? picked.delete(id) : picked.add(id);
    drawList();
    drawButtons();
  };

  function drawHead() {
    const p = model.get("progress");
    fill(
      head,
      h("span", { class: "rtc-title" }, p.position < p.total ? `Risposta ${p.position + 1} di ${p.total}` : "Coda finita"),
      h("span", { class: "rtc-spacer" }),
      h("span", { class: "rtc-count" }, `${p.decided} decise · salvate in ${p.path.split("/").pop()}`),
    );
    bar.firstChild.style.width = p.total ? `${(100 * p.decided) / p.total}%` : "0";
  }

  function drawCard() {
    const item = model.get("item");
    const p = model.get("progress");
    if (!item.id) {
      fill(
        card,
        h("p", { class: "rtc-done" }, `Tutte le ${p.total} risposte sono passate: ${p.decided} decisioni in ${p.path}.`),
        h("p", { class: "rtc-hint" }, "Dalla riga di comando: rtc-nlp code … --overrides " + p.path),
      );
      return;
    }
    const proposal = item.proposed.length
      ? item.proposed.map((c) =>
          h(
            "span",
            { class: "rtc-chip rtc-proposed" },
            c.label,
            c.confidence !== null ? h("span", { class: "rtc-confidence" }, " " + confidence(c.confidence)) : null,
          ),
        )
      : [h("span", { class: "rtc-chip rtc-proposed" }, "non classificato")];
    fill(
      card,
      h("div", { class: "rtc-meta" }, "id " + item.id),
      h("blockquote", { class: "rtc-text" }, item.text),
      h("div", { class: "rtc-proposal" }, "Proposta: ", ...proposal),
      item.second
        ? h(
            "div",
            { class: "rtc-meta" },
            `In alternativa: ${item.second.label}` +
              (item.margin !== null && item.proposed.length ? ` (margine ${confidence(item.margin)})` : ""),
          )
        : null,
      item.decision
        ? h("div", { class: "rtc-meta rtc-decided" }, "Già decisa: " + (item.decision.length ? item.decision.map(label).join("; ") : "nessun tema"))
        : null,
    );
  }

  const label = (id) => (model.get("codes").find((c) => c.id === id) || { label: String(id) }).label;

  function drawList() {
    const item = model.get("item");
    const codes = model.get("codes");
    const first = [...new Set([...(item.proposed || []).map((c) => c.id), ...(item.second ? [item.second.id] : [])])];
    const query = search.value.trim().toLowerCase();
    const ordered = [
      ...first.map((id) => codes.find((c) => c.id === id)).filter(Boolean),
      ...codes.filter((c) => !first.includes(c.id)).sort((a, b) => a.label.localeCompare(b.label, "it")),
    ];
    listed = ordered.filter((c) => !query || c.label.toLowerCase().includes(query) || c.net.toLowerCase().includes(query));
    fill(
      list,
      ...listed.map((c, k) =>
        h(
          "li",
          {
            class: "rtc-code" + (picked.has(c.id) ? " rtc-picked" : ""),
            dataset: { id: c.id },
            "aria-checked": String(picked.has(c.id)),
            role: "checkbox",
            onclick: () => toggle(c.id),
          },
          h("kbd", {}, k < 9 ? String(k + 1) : " "),
          h("span", { class: "rtc-dot", style: `background:${c.colour}` }),
          c.label,
          c.net ? h("span", { class: "rtc-net-name" }, c.net) : null,
        ),
      ),
    );
  }

  function drawButtons() {
    const finished = !model.get("item").id;
    const make = (cls, text, action) => {
      const button = h("button", { class: cls, type: "button", onclick: action }, text);
      button.disabled = finished && cls !== "rtc-back";
      return button;
    };
    fill(
      buttons,
      make("rtc-accept rtc-primary", picked.size ? `Conferma i ${picked.size} codici scelti (Invio)` : "Accetta la proposta (Invio)", confirm),
      make("rtc-none", "Nessun tema (0)", () => send({ action: "decide", codes: [] })),
      make("rtc-skip", "Salta (S)", () => send({ action: "skip" })),
      make("rtc-back", "Indietro (←)", () => send({ action: "back" })),
    );
  }

  function onItem() {
    const item = model.get("item");
    picked = new Set(item.decision || []);
    search.value = "";
    // A button clicked with the mouse is redrawn away: the keys go on working from the widget.
    const focus = document.activeElement;
    if (focus === document.body || (el.contains(focus) && focus !== search)) el.focus({ preventScroll: true });
    drawHead();
    drawCard();
    drawList();
    drawButtons();
  }

  search.addEventListener("input", drawList);
  search.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Enter" && listed.length) {
      toggle(listed[0].id);
      search.value = "";
      drawList();
      el.focus();
    } else if (event.key === "Escape") {
      search.value = "";
      drawList();
      el.focus();
    }
  });
  el.addEventListener("keydown", (event) => {
    if (event.target !== el || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    let handled = true;
    if (key === "Enter") confirm();
    else if (key >= "1" && key <= "9") {
      const code = listed[Number(key) - 1];
      if (code) toggle(code.id);
    } else if (key === "0") send({ action: "decide", codes: [] });
    else if (key === "s" || key === "S" || key === "ArrowRight") send({ action: "skip" });
    else if (key === "ArrowLeft") send({ action: "back" });
    else if (key === "/") search.focus();
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  });

  const drawStatus = () => {
    status.textContent = model.get("status");
    error.textContent = model.get("error");
  };
  const handlers = [
    ["change:item", onItem],
    ["change:progress", drawHead],
    ["change:codes", drawList],
    ["change:status", drawStatus],
    ["change:error", drawStatus],
  ];
  for (const [event, handler] of handlers) model.on(event, handler);
  onItem();
  drawStatus();
  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
  };
}

export default { render };
