// The code-frame editor's view. The kernel holds the codebook and does every edit; this file only
// draws what it is sent (tree, detail, one page of answers) and sends the clicks back.

const number = (n) => n.toLocaleString("it-IT");
const percent = (x) => (100 * x).toLocaleString("it-IT", { maximumFractionDigits: 1 }) + "%";

function render({ model, el }) {
  el.classList.add("rtc-widget", "rtc-frame");
  // Typing a name or pressing keys here must not trigger JupyterLab's notebook shortcuts.
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  hideStaticCopy(el);
  const ticked = new Set();
  const send = (content) => model.send(content);

  const status = h("div", { class: "rtc-status", role: "status" });
  const error = h("div", { class: "rtc-error", role: "alert" });
  const title = h("div", { class: "rtc-title" });
  const undo = h("button", { class: "rtc-undo", type: "button", onclick: () => send({ action: "undo" }) }, "Annulla");
  const save = h("button", { class: "rtc-save rtc-primary", type: "button", onclick: () => send({ action: "save" }) }, "Salva");
  const merge = h("button", { class: "rtc-merge", type: "button" }, "Unisci");
  merge.addEventListener("click", () => {
    const open = model.get("detail").id;
    const ids = [...ticked];
    // The theme open on the right keeps its id and name when it is among those ticked.
    if (ids.includes(open)) ids.splice(ids.indexOf(open), 1), ids.unshift(open);
    send({ action: "merge", ids });
    ticked.clear();
  });
  const tree = h("ul", { class: "rtc-tree", role: "tree", tabindex: "0", title: "↑ ↓ tema precedente o successivo · spazio spunta · F2 rinomina", "aria-label": "Net e temi" });
  // The tree from the keyboard: the list keeps the focus while its rows are redrawn.
  tree.addEventListener("keydown", (event) => {
    const nodes = model.get("tree");
    const k = nodes.findIndex((n) => n.id === model.get("detail").id);
    let handled = true;
    if (event.key === "ArrowDown" && k < nodes.length - 1) send({ action: "select", id: nodes[k + 1].id });
    else if (event.key === "ArrowUp" && k > 0) send({ action: "select", id: nodes[k - 1].id });
    else if (event.key === " " && k >= 0) {
      ticked.has(nodes[k].id) ? ticked.delete(nodes[k].id) : ticked.add(nodes[k].id);
      drawTree();
    } else if (event.key === "F2") detail.querySelector(".rtc-rename-input")?.focus();
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  });
  const detail = h("div", { class: "rtc-detail" });
  const answers = h("div", { class: "rtc-answers" });
  const changes = h("div", { class: "rtc-changes" });
  const newLabel = h("input", { class: "rtc-new-label", placeholder: "nome del tema nuovo", "aria-label": "nome del tema nuovo" });
  const newDescription = h("input", { class: "rtc-new-description", placeholder: "che cosa ci rientra", "aria-label": "descrizione del tema nuovo" });
  const add = h("button", { class: "rtc-add", type: "button" }, "Aggiungi");
  add.addEventListener("click", () => send({ action: "add", label: newLabel.value, description: newDescription.value }));

  el.append(
    h("div", { class: "rtc-bar" }, title, h("span", { class: "rtc-spacer" }), merge, undo, save),
    status,
    error,
    h(
      "div",
      { class: "rtc-columns" },
      h("div", { class: "rtc-left" }, tree, h("div", { class: "rtc-add-form" }, newLabel, newDescription, add)),
      h("div", { class: "rtc-right" }, detail, answers),
    ),
    changes,
  );

  let shown = model.get("tree").length;
  function drawTree() {
    const nodes = model.get("tree");
    if (nodes.length > shown) newLabel.value = newDescription.value = ""; // the theme was added
    shown = nodes.length;
    const open = model.get("detail").id;
    const known = new Set(nodes.map((n) => n.id));
    for (const id of [...ticked]) if (!known.has(id)) ticked.delete(id);
    fill(
      tree,
      ...nodes.map((node) => {
        const box = h("input", { type: "checkbox", class: "rtc-tick", "aria-label": "spunta " + node.label });
        box.checked = ticked.has(node.id);
        box.addEventListener("click", (event) => event.stopPropagation());
        box.addEventListener("change", () => {
          box.checked ? ticked.add(node.id) : ticked.delete(node.id);
          drawBar();
        });
        const row = h(
          "li",
          {
            class: "rtc-node" + (node.is_net ? " rtc-net" : "") + (node.parent ? " rtc-child" : "") + (node.id === open ? " rtc-open" : ""),
            role: "treeitem",
            "aria-selected": String(node.id === open),
            dataset: { id: node.id },
            onclick: () => send({ action: "select", id: node.id }),
          },
          box,
          h("span", { class: "rtc-dot", style: `background:${node.colour}` }),
          h("span", { class: "rtc-label" }, node.label),
          h("span", { class: "rtc-size" }, number(node.size) + " · " + percent(node.share)),
        );
        return row;
      }),
    );
    // Keep the open theme in sight inside the tree (a new theme lands at its foot), without
    // scrolling the notebook around it.
    const row = tree.querySelector(".rtc-open");
    if (row && (row.offsetTop < tree.scrollTop || row.offsetTop + row.offsetHeight > tree.scrollTop + tree.clientHeight)) {
      tree.scrollTop = row.offsetTop - tree.clientHeight / 3;
    }
    drawBar();
  }

  function drawBar() {
    const nodes = model.get("tree");
    const themes = nodes.filter((n) => !n.is_net).length;
    title.textContent = `${themes} temi in ${nodes.length - themes} net · ${number(model.get("n_answers"))} risposte`;
    merge.textContent = ticked.size > 1 ? `Unisci i ${ticked.size} spuntati` : "Unisci (spunta almeno due temi)";
    merge.disabled = ticked.size < 2;
    undo.disabled = !model.get("can_undo");
  }

  function drawDetail() {
    const d = model.get("detail");
    if (!d.id) return fill(detail);
    const name = h("input", { class: "rtc-rename-input", value: d.label, "aria-label": "nome del tema" });
    const rename = () => send({ action: "rename", id: d.id, label: name.value });
    name.addEventListener("keydown", (event) => {
      if (event.key === "Enter") rename();
    });
    const nets = model.get("nets").filter((n) => n.id !== d.id);
    const where = h(
      "select",
      { class: "rtc-move-select", "aria-label": "net di destinazione" },
      h("option", { value: "0" }, "— nessuna net —"),
      ...nets.map((n) => {
        const option = h("option", { value: String(n.id) }, n.label);
        option.selected = n.id === d.parent;
        return option;
      }),
    );
    const parts = h("input", { class: "rtc-split-parts", type: "number", min: "2", max: "8", value: "2", "aria-label": "in quante parti" });
    const actions = d.is_net
      ? [h("span", { class: "rtc-hint" }, "Una net raccoglie i temi sotto di essa: sposta o unisci i suoi temi.")]
      : [
          h("label", {}, "Sposta in ", where),
          h("button", { class: "rtc-move", type: "button", onclick: () => send({ action: "move", id: d.id, net: Number(where.value) }) }, "Sposta"),
          h("label", {}, "Dividi in ", parts),
          h("button", { class: "rtc-split", type: "button", onclick: () => send({ action: "split", id: d.id, parts: Number(parts.value) }) }, "Dividi"),
        ];
    fill(
      detail,
      h(
        "div",
        { class: "rtc-rename" },
        name,
        h("button", { class: "rtc-rename-button", type: "button", onclick: rename }, "Rinomina"),
      ),
      h("div", { class: "rtc-meta" }, `id ${d.id} · ${number(d.size)} risposte` + (d.is_net ? " · net" : "")),
      d.description ? h("p", { class: "rtc-description" }, d.description) : null,
      d.keywords.length ? h("div", { class: "rtc-keywords" }, ...d.keywords.map((k) => h("span", { class: "rtc-chip" }, k))) : null,
      d.examples.length
        ? h("div", { class: "rtc-examples" }, h("div", { class: "rtc-heading" }, "Risposte tipiche"), h("ul", {}, ...d.examples.map((e) => h("li", {}, e))))
        : null,
      h(
        "div",
        { class: "rtc-actions" },
        ...actions,
        h("button", { class: "rtc-delete rtc-danger", type: "button", onclick: () => send({ action: "delete", id: d.id }) }, "Elimina"),
      ),
    );
  }

  function drawAnswers() {
    const a = model.get("answers");
    if (!a.rows) return fill(answers);
    const previous = h("button", { class: "rtc-page-previous", type: "button", "aria-label": "pagina precedente", onclick: () => send({ action: "page", page: a.page - 1 }) }, "‹");
    const next = h("button", { class: "rtc-page-next", type: "button", "aria-label": "pagina successiva", onclick: () => send({ action: "page", page: a.page + 1 }) }, "›");
    previous.disabled = a.page <= 0;
    next.disabled = a.page >= a.n_pages - 1;
    fill(
      answers,
      h(
        "div",
        { class: "rtc-heading rtc-pager" },
        `Tutte le risposte (${number(a.total)})`,
        h("span", { class: "rtc-spacer" }),
        previous,
        h("span", { class: "rtc-page" }, `pagina ${a.page + 1} di ${a.n_pages}`),
        next,
      ),
      h("ol", { class: "rtc-answer-list", start: String(a.page * 25 + 1) }, ...a.rows.map((r) => h("li", { title: "id " + r.id }, r.text))),
    );
  }

  function drawChanges() {
    const rows = model.get("changes");
    if (!rows.length) return fill(changes);
    const said = { added: "aggiunto", removed: "eliminato", changed: "modificato" };
    const fields = { label: "nome", description: "descrizione", keywords: "parole chiave", examples: "esempi", parent: "net", colour: "colore" };
    const named = (list) => list.split(", ").filter(Boolean).map((f) => fields[f] || f).join(", ");
    fill(
      changes,
      h("div", { class: "rtc-heading" }, "Modifiche rispetto all'inizio"),
      h(
        "table",
        { class: "rtc-diff" },
        h("thead", {}, h("tr", {}, ...["id", "modifica", "campi", "prima", "dopo"].map((c) => h("th", {}, c)))),
        h("tbody", {}, ...rows.map((r) => h("tr", {}, h("td", {}, r.id), h("td", {}, said[r.change] || r.change), h("td", {}, named(r.fields)), h("td", {}, r.before), h("td", {}, r.after)))),
      ),
    );
  }

  const drawStatus = () => {
    status.textContent = model.get("status");
    error.textContent = model.get("error");
  };
  const handlers = [
    ["change:tree", drawTree],
    ["change:detail", () => (drawDetail(), drawTree())],
    ["change:answers", drawAnswers],
    ["change:can_undo", drawBar],
    ["change:status", drawStatus],
    ["change:error", drawStatus],
    ["change:changes", drawChanges],
  ];
  for (const [event, handler] of handlers) model.on(event, handler);
  drawTree();
  drawDetail();
  drawAnswers();
  drawChanges();
  drawStatus();
  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
  };
}

export default { render };
