// Kring practice page: renders the state the server sends and passes what the visitor does back.
// Every word shown comes from the server (the #words JSON and the state); none is written here.
"use strict";

const words = JSON.parse(document.getElementById("words").textContent);
const lang = document.documentElement.lang;
const LINK = /https:\/\/t\.me\/\w+\?(start|startgroup)=([A-Za-z0-9_-]+)/g;
const columns = new Map(); // key -> {section, list, ...}
let active = null; // the column shown on a narrow screen
let queue = Promise.resolve();
let pending = 0;
const seen = new Map(); // key -> number of messages seen (for the dot on the switcher)

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function busy(delta) {
  pending += delta;
  document.body.dataset.busy = pending > 0 ? "1" : "0";
  document.getElementById("busy").textContent = pending > 0 ? words.busy : "";
}

// One action at a time, in order; the answer holds the new state.
function act(action, body) {
  busy(1);
  queue = queue.then(async () => {
    try {
      const response = await fetch(`/act/${action}?lang=${encodeURIComponent(lang)}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(String(response.status));
      const answer = await response.json();
      render(answer.state);
      if (answer.toast) toast(body.column, answer.toast);
    } catch (error) {
      toast(body.column || active, words.failed);
    } finally {
      busy(-1);
    }
  });
  return queue;
}

function toast(key, text) {
  const column = columns.get(key) || columns.get(active);
  if (!column) return;
  column.toast.textContent = text;
  column.toast.hidden = false;
  clearTimeout(column.toastTimer);
  column.toastTimer = setTimeout(() => { column.toast.hidden = true; }, 3500);
}

function actor(key) {
  const column = columns.get(key);
  return column && column.as ? column.as.value : undefined;
}

// -- building the columns once ----------------------------------------------------------------

function build(state) {
  const main = document.getElementById("columns");
  const switcher = document.getElementById("switcher");
  switcher.setAttribute("aria-label", words.person);
  for (const data of state.columns) {
    const key = data.key;
    const header = el("header", { class: "person" });
    const heading = el("h2", { id: `name-${key}` }, el("bdi", { class: "name", text: data.name }),
      el("span", { class: "role", text: data.role }));
    header.append(heading);
    const column = { key };
    if (key === "group") {
      column.as = el("select", { id: `as-${key}` });
      for (const member of data.members) column.as.append(el("option", { value: member.key, text: member.name }));
      header.append(el("label", { class: "field" }, el("span", { text: words.as }), column.as));
    } else {
      column.language = el("select", { id: `language-${key}`, onchange: (event) => {
        act("language", { column: key, code: event.target.value });
      } });
      for (const [code, name] of Object.entries(words.languages)) {
        column.language.append(el("option", { value: code, lang: code, text: name }));
      }
      header.append(el("label", { class: "field" }, el("span", { text: words.language }), column.language));
    }
    column.list = el("ol", { class: "messages", "aria-live": "polite", "aria-labelledby": `name-${key}` });
    column.note = el("p", { class: "note", dir: "auto" });
    column.toast = el("p", { class: "toast", role: "status", hidden: true });
    column.start = el("button", { type: "button", class: "start", text: words.start,
      onclick: () => act("start", { column: key }) });
    column.input = el("input", { type: "text", name: "text", autocomplete: "off", dir: "auto",
      "aria-label": words.message, placeholder: words.message });
    column.form = el("form", { class: "composer", onsubmit: (event) => {
      event.preventDefault();
      const text = column.input.value;
      if (!text.trim()) return;
      column.input.value = "";
      act("send", { column: key, as: actor(key), text });
    } }, column.input, el("button", { type: "submit", class: "send", "aria-label": words.send, title: words.send, text: "➤" }));
    column.section = el("section", { class: "column", id: `col-${key}`, "aria-labelledby": `name-${key}` },
      header, column.list, column.toast, el("footer", {}, column.note, column.start, column.form));
    column.tab = el("button", { type: "button", class: "tab", "aria-controls": `col-${key}`,
      onclick: () => show(key) }, el("bdi", { text: data.name }), el("span", { class: "dot", "aria-hidden": "true" }));
    columns.set(key, column);
    main.append(column.section);
    switcher.append(column.tab);
  }
  show(state.columns[0].key);
}

function show(key) {
  active = key;
  for (const [other, column] of columns) {
    const on = other === key;
    column.section.classList.toggle("active", on);
    column.tab.setAttribute("aria-pressed", on ? "true" : "false");
  }
  const column = columns.get(key);
  seen.set(key, column.list.children.length);
  column.tab.classList.remove("fresh");
}

// -- drawing the state --------------------------------------------------------------------------

function textWithLinks(text, key) {
  const span = el("p", { class: "text", dir: "auto" });
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    span.append(text.slice(last, match.index));
    span.append(el("button", { type: "button", class: "link", dir: "ltr", text: match[0],
      onclick: () => openLink(key, match[1], match[2]) }));
    last = match.index + match[0].length;
  }
  span.append(text.slice(last));
  return span;
}

function openLink(key, kind, token) {
  const dialog = document.getElementById("who");
  document.getElementById("who-title").textContent = kind === "startgroup" ? words.who_adds : words.who_opens;
  const people = document.getElementById("who-people");
  people.replaceChildren();
  const group = columns.get("group");
  const keys = kind === "startgroup"
    ? [...group.as.options].map((option) => [option.value, option.textContent])
    : [...columns.keys()].filter((k) => k !== "group").map((k) => [k, columns.get(k).tab.textContent]);
  for (const [who, name] of keys) {
    people.append(el("button", { type: "button", "data-who": who, dir: "auto", text: name, onclick: () => {
      dialog.close();
      act("link", { column: who, who, kind, token }).then(() => show(kind === "startgroup" ? "group" : who));
    } }));
  }
  document.getElementById("who-cancel").textContent = words.cancel;
  dialog.showModal();
}

function message(key, data) {
  const mine = data.from !== "bot";
  const item = el("li", { class: `msg ${mine ? "me" : "bot"}`, "data-id": data.id });
  if (mine && key === "group") {
    item.append(el("span", { class: "author", dir: "auto", text: columns.get(data.from)?.tab.textContent || "" }));
  }
  if (data.photo) item.append(el("img", { src: data.photo, alt: words.picture, loading: "lazy" }));
  if (data.document) {
    item.append(el("a", { class: "file", href: data.document.url, download: data.document.name, dir: "auto",
      text: `📎 ${data.document.name}` }));
  }
  if (data.text) item.append(textWithLinks(data.text, key));
  if (data.at) item.append(el("span", { class: "at", text: data.at }));
  if (data.buttons && data.buttons.length) {
    const keyboard = el("div", { class: "keyboard" });
    data.buttons.forEach((row, r) => {
      const line = el("div", { class: "row" });
      row.forEach((button, i) => {
        if (button.url) {
          const found = [...button.url.matchAll(LINK)][0];
          line.append(found
            ? el("button", { type: "button", class: "kb", dir: "auto", text: button.text,
              onclick: () => openLink(key, found[1], found[2]) })
            : el("a", { class: "kb", href: button.url, target: "_blank", rel: "noopener noreferrer", dir: "auto",
              text: button.text }));
        } else {
          line.append(el("button", { type: "button", class: "kb", dir: "auto", text: button.text,
            "data-message": data.id, "data-row": r, "data-index": i,
            onclick: () => act("press", { column: key, as: actor(key), message: data.id, row: r, index: i }) }));
        }
      });
      keyboard.append(line);
    });
    item.append(keyboard);
  }
  return item;
}

function render(state) {
  if (!columns.size) build(state);
  document.getElementById("now").textContent = state.now;
  const focused = document.activeElement;
  const focusedButton = focused && focused.classList.contains("kb")
    ? { message: focused.dataset.message, row: focused.dataset.row, index: focused.dataset.index,
      column: focused.closest(".column")?.id }
    : null;
  for (const data of state.columns) {
    const column = columns.get(data.key);
    const list = column.list;
    // A new message shows at once, as in Telegram; otherwise the list stays where the visitor scrolled.
    const grew = data.messages.length !== Number(list.dataset.count || -1);
    const top = list.scrollTop;
    list.replaceChildren(...data.messages.map((m) => message(data.key, m)));
    list.scrollTop = grew ? list.scrollHeight : top;
    list.dataset.count = String(data.messages.length);
    if (column.language) {
      column.language.value = data.language;
      column.section.lang = data.language;
    }
    const waiting = data.key !== "group" && !data.started;
    column.start.hidden = !waiting;
    column.form.hidden = waiting;
    column.note.textContent = waiting
      ? words.not_started.replace("{name}", data.name)
      : data.key === "group" && !data.started ? words.not_in_group : "";
    column.note.hidden = !column.note.textContent;
    if (data.key === active) seen.set(data.key, data.messages.length);
    else if (data.messages.length > (seen.get(data.key) ?? 0)) column.tab.classList.add("fresh");
  }
  if (focusedButton) {
    const section = document.getElementById(focusedButton.column);
    const again = section && section.querySelector(
      `.kb[data-message="${focusedButton.message}"][data-row="${focusedButton.row}"][data-index="${focusedButton.index}"]`);
    (again || section?.querySelector("input[name=text]"))?.focus();
  }
  document.getElementById("situation").value = state.situation;
  document.getElementById("tip").textContent = "💡 " + state.tip;
}

// -- the clock, starting again, the page's language -------------------------------------------

for (const button of document.querySelectorAll("[data-step]")) {
  button.addEventListener("click", () => act("clock", { step: button.dataset.step }));
}
document.getElementById("begin").addEventListener("submit", (event) => {
  event.preventDefault();
  act("begin", { situation: document.getElementById("situation").value });
});
document.getElementById("lang").addEventListener("change", () => document.getElementById("page-language").submit());

async function first() {
  try {
    const response = await fetch(`/state?lang=${encodeURIComponent(lang)}`);
    if (response.ok) render(await response.json());
  } finally {
    busy(0);
  }
  const events = new EventSource(`/events?lang=${encodeURIComponent(lang)}`);
  events.onmessage = (event) => render(JSON.parse(event.data));
}
pending = 0;
first();
