// Shared by both widgets (prepended to each view's module by rtc_nlp.widgets).

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// replaceChildren would write a skipped (null) child as the text "null".
const fill = (node, ...children) =>
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));

// The static copy a widget leaves for HTML exports follows it as the next output
// (rtc_nlp/widgets/fallback.py): in JupyterLab, where the widget draws, it is hidden.
function hideStaticCopy(el) {
  let tries = 0;
  const look = () => {
    const child = el.closest(".jp-OutputArea-child");
    const next = child && child.nextElementSibling;
    if (next && next.querySelector(".rtc-static-fallback")) next.style.display = "none";
    else if (tries++ < 100) setTimeout(look, 50);
  };
  look();
}

