// mockclaude inspector: the journal, conversations and state of a running mock, live from /_mock/events.
// Plain DOM, no library; every piece of request data goes in through textContent, never as markup.
"use strict";

const BASE = location.pathname.replace(/\/ui\/?$/, ""); // "/_mock"
const TOKEN = (() => {
  const params = new URLSearchParams(location.search);
  const given = params.get("token");
  if (given !== null) {
    sessionStorage.setItem("mockclaude-admin-token", given);
    params.delete("token"); // keep the token out of the address bar, history and screenshots
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
  return sessionStorage.getItem("mockclaude-admin-token");
})();

const app = {
  entries: new Map(), // index -> summary
  total: 0,
  state: null,
  selected: null, // journal index shown in #detail
  session: null, // conversation shown in #thread
  tab: "journal",
};

// -- small helpers -------------------------------------------------------------------------------------------

function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

const $ = (selector) => document.querySelector(selector);
// replaceChildren would write a null child as the text "null": drop the empty ones, as h does.
const fill = (el, ...kids) => el.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
const num = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : "–");
const usd = (n) => {
  if (typeof n !== "number") return "–";
  if (n === 0) return "$0";
  if (n < 0.0001) return "<$0.0001";
  return "$" + n.toFixed(n < 1 ? 4 : 2);
};
const clockTime = (rfc) => (typeof rfc === "string" ? rfc.slice(11, 19) : "");
const json = (value) => JSON.stringify(value, null, 2);
// The journal's redaction (engine/journal.py redact): keys in the cache and limit tables read as in the journal.
const redact = (key) => (key ? key.slice(0, Math.min(6, Math.floor(key.length / 2))) + "…" : "");
const seconds = (s) => {
  if (typeof s !== "number") return "–";
  if (s <= 0) return "0s";
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return m ? `${m}m ${String(rest).padStart(2, "0")}s` : `${rest}s`;
};

function toast(text, bad) {
  const el = $("#toast");
  el.textContent = text;
  el.className = bad ? "show bad" : "show";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.className = ""), 2500);
}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (TOKEN) headers["x-admin-token"] = TOKEN;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const message = data && data.error ? data.error.message : response.statusText;
    throw new Error(`${method} ${BASE}${path}: ${response.status} ${message}`);
  }
  return data;
}

async function act(label, method, path, body) {
  try {
    const data = await api(method, path, body);
    toast(label);
    return data;
  } catch (error) {
    toast(error.message, true);
    return null;
  }
}

// -- the event stream ----------------------------------------------------------------------------------------

function setLive(on) {
  const el = $("#live");
  el.textContent = on ? "live" : "offline, retrying…";
  el.className = on ? "live on" : "live off";
  document.body.dataset.live = on ? "1" : "0";
}

async function connect() {
  let wait = 500;
  for (;;) {
    try {
      const headers = { accept: "text/event-stream" };
      if (TOKEN) headers["x-admin-token"] = TOKEN;
      const response = await fetch(BASE + "/events", { headers, cache: "no-store" });
      if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
      setLive(true);
      wait = 500;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let name = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) name = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length) onEvent(name, JSON.parse(data.join("\n")));
        }
      }
    } catch (error) {
      // a stopped server or a dropped connection: show it and try again
    }
    setLive(false);
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 5000);
  }
}

function onEvent(name, data) {
  if (name === "snapshot") {
    app.entries = new Map(data.entries.map((e) => [e.index, e]));
    app.total = data.total;
    shown.key = null; // the open thread is drawn again in full
    if (app.session) scheduleThread();
  } else if (name === "entry") {
    app.entries.set(data.index, data);
    app.total = Math.max(app.total, data.index + 1);
    if (app.session && data.session === app.session) scheduleThread();
  } else if (name === "clear") {
    app.entries = new Map();
    app.total = 0;
    shown.key = null;
    if (app.session) scheduleThread();
  } else if (name === "state") {
    app.state = data;
    renderState();
    return;
  }
  if (app.selected !== null && !app.entries.has(app.selected)) {
    app.selected = null;
    fill($("#detail"), h("p", { class: "empty" }, "That request left the journal."));
  }
  scheduleRender();
}

let renderTimer = null;
function scheduleRender() {
  if (renderTimer === null) renderTimer = setTimeout(() => ((renderTimer = null), renderLists()), 30);
}
let threadTimer = null;
function scheduleThread() {
  clearTimeout(threadTimer);
  threadTimer = setTimeout(() => openThread(app.session, false), 200);
}

// -- the journal list ----------------------------------------------------------------------------------------

const FILTERS = {
  key: { label: "all keys", value: (e) => e.key },
  model: { label: "all models", value: (e) => e.model || "" },
  endpoint: { label: "all endpoints", value: (e) => e.endpoint },
  status: { label: "any status", value: (e) => String(e.status) },
  decided: { label: "any stub or rule", value: (e) => decidedKey(e.decided) },
};

function decidedKey(d) {
  if (d.kind === "stub") return "stub:" + (d.name || d.stub_id);
  if (d.kind === "rule") return "rule:" + d.rule;
  return d.kind;
}

function refreshFilter(name, entries) {
  const select = $("#f-" + name);
  const current = select.value;
  const values = [...new Set(entries.map(FILTERS[name].value))].filter((v) => v !== "").sort();
  const options = [h("option", { value: "" }, FILTERS[name].label), ...values.map((v) => h("option", { value: v }, v))];
  if (select.options.length !== options.length || [...select.options].some((o, i) => o.value !== options[i].value)) {
    select.replaceChildren(...options);
    select.value = values.includes(current) ? current : "";
  }
}

function visible(entries) {
  const text = $("#f-text").value.trim().toLowerCase();
  return entries.filter((e) => {
    for (const name of Object.keys(FILTERS)) {
      const want = $("#f-" + name).value;
      if (want && FILTERS[name].value(e) !== want) return false;
    }
    if (!text) return true;
    const hay = [e.user_text, e.prompt, e.reply_text, e.request_id, e.decided.text, e.model, e.error && e.error.message]
      .join("\n")
      .toLowerCase();
    return hay.includes(text);
  });
}

function usageLine(u) {
  if (!u) return "";
  const parts = [`in ${num(u.input_tokens)}`, `out ${num(u.output_tokens)}`];
  if (u.cache_read_input_tokens) parts.push(`cache read ${num(u.cache_read_input_tokens)}`);
  if (u.cache_creation_input_tokens) parts.push(`cache write ${num(u.cache_creation_input_tokens)}`);
  return parts.join(" · ");
}

function statusClass(status) {
  return status < 300 ? "ok" : status < 500 ? "warn" : "bad";
}

function row(e) {
  const text = e.user_text || (e.endpoint === "batches" ? "(batch create)" : "");
  return h(
    "li",
    {
      class: "row" + (e.index === app.selected ? " selected" : ""),
      dataset: { index: e.index },
      tabindex: 0,
      onclick: () => openEntry(e.index),
      onkeydown: (ev) => ev.key === "Enter" && openEntry(e.index),
    },
    h(
      "div",
      { class: "line1" },
      h("span", { class: "idx" }, "#" + e.index),
      h("span", { class: "time", title: e.at }, clockTime(e.at)),
      h("span", { class: "badge status " + statusClass(e.status) }, e.status),
      h("span", { class: "badge ep" }, e.endpoint + (e.stream ? " · sse" : "")),
      h("span", { class: "model" }, e.model || ""),
      h("span", { class: "decided " + e.decided.kind, title: "what decided the reply" }, e.decided.text),
    ),
    h("div", { class: "user-text" }, text || h("span", { class: "muted" }, "(no user text)")),
    h(
      "div",
      { class: "line3" },
      h("span", { class: "usage" }, e.counted != null ? `counted ${num(e.counted)} input tokens` : usageLine(e.usage)),
      e.cost ? h("span", { class: "cost" }, usd(e.cost.total)) : null,
      e.tool_calls.length ? h("span", { class: "tools" }, "→ " + e.tool_calls.join(", ")) : null,
      e.error ? h("span", { class: "err" }, e.error.type) : null,
      e.fault ? h("span", { class: "err" }, "fault: " + e.fault) : null,
    ),
  );
}

function renderLists() {
  const all = [...app.entries.values()].sort((a, b) => b.index - a.index);
  for (const name of Object.keys(FILTERS)) refreshFilter(name, all);
  const matching = visible(all);
  fill(
    $("#entries"),
    ...(matching.length ? matching.map(row) : [h("li", { class: "empty" }, all.length ? "No request matches the filters." : "No requests yet: point a client at this mock.")]),
  );
  $("#count").textContent = all.length === app.total ? String(all.length) : `${all.length} of ${app.total}`;
  renderThreadList(all);
}

// -- rendering a conversation ----------------------------------------------------------------------------

function textBlock(text, cls) {
  const value = String(text);
  if (value.trimStart().startsWith("<system-reminder>")) {
    return h("details", { class: "reminder" }, h("summary", {}, "system reminder · " + num(value.length) + " chars"), h("pre", {}, value));
  }
  if (value.length > 4000) {
    return h("details", { class: cls || "" }, h("summary", {}, value.slice(0, 160) + "… (" + num(value.length) + " chars)"), h("pre", {}, value));
  }
  return h("div", { class: "text " + (cls || "") }, value);
}

function cacheBadge(block) {
  const cc = block && block.cache_control;
  return cc ? h("span", { class: "badge cache", title: "cache breakpoint" }, "cache " + (cc.ttl || "5m")) : null;
}

function resultText(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return content === undefined ? "" : json(content);
  return content.map((b) => (b.type === "text" ? b.text : `[${b.type}]`)).join("\n");
}

function block(b, tools) {
  if (typeof b === "string") return textBlock(b);
  switch (b.type) {
    case "text":
      return h("div", { class: "blk" }, cacheBadge(b), textBlock(b.text));
    case "thinking":
      return h("details", { class: "blk thinking" }, h("summary", {}, "thinking" + (b.thinking ? " · " + num(b.thinking.length) + " chars" : " (omitted: signature only)")), b.thinking ? h("pre", {}, b.thinking) : null);
    case "redacted_thinking":
      return h("details", { class: "blk thinking" }, h("summary", {}, "redacted thinking"));
    case "tool_use":
    case "server_tool_use":
      if (b.id) tools.set(b.id, b.name);
      return h("div", { class: "blk tool-use" }, h("div", { class: "tool-head" }, "⚙ " + b.name, h("span", { class: "muted" }, " " + (b.id || "")), cacheBadge(b)), h("pre", {}, json(b.input)));
    case "tool_result":
      return h(
        "div",
        { class: "blk tool-result" + (b.is_error ? " is-error" : "") },
        h("div", { class: "tool-head" }, "↩ " + (tools.get(b.tool_use_id) || "tool") + " result" + (b.is_error ? " (error)" : ""), h("span", { class: "muted" }, " " + b.tool_use_id), cacheBadge(b)),
        textBlock(resultText(b.content), "result"),
      );
    case "image":
    case "document": {
      const src = b.source || {};
      const size = typeof src.data === "string" ? " · " + num(Math.round((src.data.length * 3) / 4 / 1024)) + " KB" : "";
      return h("div", { class: "blk media" }, `[${b.type}: ${src.type || "?"} ${src.media_type || src.url || ""}${size}]`, cacheBadge(b));
    }
    default:
      return h("details", { class: "blk other" }, h("summary", {}, b.type || "block"), h("pre", {}, json(b)));
  }
}

function turn(role, content, tools, extra) {
  const blocks = typeof content === "string" ? [textBlock(content)] : (content || []).map((b) => block(b, tools));
  return h("div", { class: "turn " + role }, h("div", { class: "role" }, role, extra || null), h("div", { class: "blocks" }, blocks));
}

function systemTurn(system) {
  if (!system) return null;
  const blocks = typeof system === "string" ? [{ type: "text", text: system }] : system;
  const size = blocks.reduce((n, b) => n + (b.text || "").length, 0);
  return h("details", { class: "turn system" }, h("summary", { class: "role" }, "system · " + num(size) + " chars · " + blocks.length + " block(s)"), h("div", { class: "blocks" }, blocks.map((b) => block(b, new Map()))));
}

function conversation(body, reply, tools) {
  const out = [];
  if (!body || typeof body !== "object") return [h("pre", {}, String(body))];
  out.push(systemTurn(body.system));
  if (Array.isArray(body.tools) && body.tools.length) {
    out.push(h("details", { class: "turn tools" }, h("summary", { class: "role" }, "tools · " + body.tools.map((t) => t.name).join(", ")), h("pre", {}, json(body.tools))));
  }
  for (const m of body.messages || []) out.push(turn(m.role, m.content, tools));
  if (reply && Array.isArray(reply.content)) {
    out.push(turn("assistant", reply.content, tools, h("span", { class: "served" }, " · reply · " + (reply.stop_reason || ""))));
  }
  return out;
}

// -- one entry in full ---------------------------------------------------------------------------------------

function section(title, ...kids) {
  return h("section", { class: "sec sec-" + title.toLowerCase().replace(/[^a-z]+/g, "-") }, h("h3", {}, title), kids);
}

function decidedSection(d) {
  const s = d.summary.decided;
  const kids = [h("div", { class: "decided big " + s.kind }, s.text)];
  if (s.kind === "stub" && d.stub) {
    const st = d.stub;
    kids.push(h("div", { class: "kv" }, `${st.id} · ${st.source} · lifetime ${st.lifetime} · matched ${st.matched} · remaining ${st.remaining ?? "∞"}`));
  } else if (s.kind === "stub") {
    kids.push(h("div", { class: "muted" }, "the stub has since been removed"));
  } else if (s.kind === "rule") {
    kids.push(h("div", { class: "muted" }, "No stub answered: the reply was generated, and this behaviour rule chose it (engine/behave)."));
  }
  if (d.near_misses.length) {
    kids.push(h("div", { class: "sub" }, "near misses (against the stubs loaded now):"));
    kids.push(h("ol", { class: "misses" }, d.near_misses.map((m) => h("li", {}, h("b", {}, m.name || m.id), ` (${m.source}): `, m.reasons.join("; ")))));
  }
  return section("Decided by", kids);
}

function usageSection(d) {
  const u = d.usage;
  const c = d.summary.cost || {};
  if (!u) return null;
  const cc = u.cache_creation || {};
  const rows = [
    ["input (uncached)", u.input_tokens, c.input],
    ["cache read", u.cache_read_input_tokens, c.cache_read],
    ["cache write, 5m TTL", cc.ephemeral_5m_input_tokens ?? u.cache_creation_input_tokens, c.cache_write_5m],
    ["cache write, 1h TTL", cc.ephemeral_1h_input_tokens ?? 0, c.cache_write_1h],
    ["output", u.output_tokens, c.output],
  ];
  const marks = breakpoints(d.body);
  return section(
    "Usage and cost",
    h("table", { class: "usage-table" }, h("tr", {}, h("th", {}, ""), h("th", {}, "tokens"), h("th", {}, "USD")), rows.map(([name, n, cost]) => h("tr", {}, h("td", {}, name), h("td", { class: "n" }, num(n ?? 0)), h("td", { class: "n" }, usd(cost)))), h("tr", { class: "total" }, h("td", {}, "total"), h("td", {}), h("td", { class: "n" }, usd(c.total)))),
    h("div", { class: "muted" }, marks.length ? "cache breakpoints in the request: " + marks.join(", ") : "no cache_control breakpoints in the request"),
    u.service_tier ? h("div", { class: "muted" }, "service tier " + u.service_tier) : null,
  );
}

function breakpoints(body) {
  const out = [];
  if (!body || typeof body !== "object") return out;
  const scan = (blocks, where) => Array.isArray(blocks) && blocks.forEach((b, i) => b && b.cache_control && out.push(`${where}[${i}] (${b.cache_control.ttl || "5m"})`));
  scan(body.tools, "tools");
  scan(body.system, "system");
  (body.messages || []).forEach((m, i) => scan(m.content, `messages[${i}]`));
  if (body.cache_control) out.push(`top level (${body.cache_control.ttl || "5m"})`);
  return out;
}

function replySection(d) {
  const views = { rendered: null, json: null, sse: null };
  const tools = new Map();
  for (const m of (d.body && d.body.messages) || []) for (const b of Array.isArray(m.content) ? m.content : []) if (b.type === "tool_use") tools.set(b.id, b.name);
  if (d.reply && Array.isArray(d.reply.content)) views.rendered = turn("assistant", d.reply.content, tools, h("span", { class: "served" }, " · " + (d.reply.stop_reason || "")));
  views.json = h("pre", { class: "json" }, json(d.reply ?? d.error));
  if (d.sse) {
    const note = d.sse.paced
      ? `The events as the renderer lays them out, at the times the server planned for them (latency × time scale ${d.sse.time_scale}, on the mock's clock; planned, not measured; keep-alive pings during long waits not shown).`
      : "The events as the renderer lays them out; no latency was configured, so the server wrote them all at once (timings are not recorded).";
    views.sse = h(
      "div",
      {},
      h("p", { class: "muted" }, note),
      h("table", { class: "sse" }, h("tr", {}, h("th", {}, "#"), h("th", {}, "at ms"), h("th", {}, "+ms"), h("th", {}, "event"), h("th", {}, "data")), d.sse.events.map((ev, i) => h("tr", { class: ev.fault ? "fault" : "" }, h("td", { class: "n" }, i), h("td", { class: "n" }, ev.at_ms), h("td", { class: "n" }, ev.wait_ms), h("td", {}, ev.event + (ev.fault ? " ✂ fault" : "")), h("td", {}, h("code", {}, JSON.stringify(ev.data)))))),
    );
  }
  const body = h("div", { class: "reply-body" });
  const buttons = [];
  const show = (name) => {
    fill(body, views[name]);
    buttons.forEach((b) => b.classList.toggle("on", b.dataset.view === name));
  };
  for (const [name, label] of [["rendered", "conversation"], ["json", d.reply ? "JSON" : "error JSON"], ["sse", "SSE events"]]) {
    if (views[name]) buttons.push(h("button", { type: "button", class: "seg", dataset: { view: name }, onclick: () => show(name) }, label));
  }
  const first = views.rendered ? "rendered" : "json";
  const out = section("Reply", h("div", { class: "segs" }, buttons), body);
  show(first);
  return out;
}

async function openEntry(index) {
  app.selected = index;
  document.querySelectorAll("#entries li.row").forEach((li) => li.classList.toggle("selected", Number(li.dataset.index) === index));
  let d;
  try {
    d = await api("GET", "/ui/entries/" + index);
  } catch (error) {
    fill($("#detail"), h("p", { class: "empty" }, error.message));
    return;
  }
  if (app.selected !== index) return;
  const s = d.summary;
  const tools = new Map();
  fill($("#detail"),
    h(
      "header",
      { class: "detail-head" },
      h("h2", {}, `#${d.index} ${d.endpoint}`, h("span", { class: "badge status " + statusClass(d.status) }, d.status), d.stream ? h("span", { class: "badge ep" }, "stream") : null),
      h("div", { class: "muted" }, [s.at, d.request_id, s.model, s.key && "key " + s.key, s.user_agent].filter(Boolean).join(" · ")),
    ),
    decidedSection(d),
    d.error ? section("Error", h("pre", { class: "json err" }, json(d.error))) : null,
    usageSection(d),
    section("Conversation", h("div", { class: "convo" }, conversation(d.body, null, tools))),
    replySection(d),
    d.fault ? section("Fault", h("pre", { class: "json" }, json(d.fault))) : null,
    section("Headers", h("table", { class: "headers" }, Object.entries(d.headers).map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", {}, h("code", {}, v)))))),
    section("Request JSON", h("details", {}, h("summary", {}, "the body as the client sent it"), h("pre", { class: "json" }, json(d.body)))),
  );
  $("#detail").scrollTop = 0;
}

// -- conversations ---------------------------------------------------------------------------------------

function groups(all) {
  const byKey = new Map();
  for (const e of [...all].reverse()) {
    if (e.endpoint === "batches") continue;
    let g = byKey.get(e.session);
    if (!g) byKey.set(e.session, (g = { key: e.session, kind: e.session_kind, first: e, entries: [] }));
    g.entries.push(e);
  }
  return [...byKey.values()].sort((a, b) => b.entries[b.entries.length - 1].index - a.entries[a.entries.length - 1].index);
}

const KIND = { "claude-code": "Claude Code session", metadata: "session (metadata.user_id)", "first-message": "conversation", entry: "request" };

function groupTitle(g) {
  const prompt = g.entries.find((e) => e.prompt)?.prompt || "(no user text)";
  return prompt;
}

function renderThreadList(all) {
  const list = groups(all);
  $("#thread-count").textContent = String(list.length);
  fill($("#thread-list"),
    ...(list.length
      ? list.map((g) => {
          const cost = g.entries.reduce((n, e) => n + (e.cost ? e.cost.total : 0), 0);
          const last = g.entries[g.entries.length - 1];
          const models = [...new Set(g.entries.map((e) => e.model).filter(Boolean))].join(", ");
          const id = g.key.startsWith("session:") ? " " + g.key.slice(8, 16) : "";
          return h(
            "li",
            { class: "row group" + (g.key === app.session ? " selected" : ""), dataset: { session: g.key }, tabindex: 0, onclick: () => openThread(g.key, true) },
            h("div", { class: "line1" }, h("span", { class: "badge kind" }, KIND[g.kind] + id), h("span", { class: "time" }, clockTime(last.at)), h("span", { class: "model" }, models)),
            h("div", { class: "user-text" }, groupTitle(g)),
            h("div", { class: "line3" }, h("span", {}, `${g.entries.length} request(s)`), h("span", { class: "cost" }, usd(cost))),
          );
        })
      : [h("li", { class: "empty" }, "No conversations yet.")]),
  );
}

function threadTurn(tn, tools) {
  return h(
    "div",
    { class: "tturn", dataset: { index: tn.index } },
    h(
      "div",
      { class: "tturn-head", title: "open this request in the journal", onclick: () => showEntry(tn.index) },
      h("span", { class: "idx" }, "#" + tn.index),
      h("span", { class: "time" }, clockTime(tn.at)),
      h("span", { class: "badge status " + statusClass(tn.status) }, tn.status),
      h("span", { class: "model" }, tn.model || ""),
      h("span", { class: "decided " + tn.decided.kind }, tn.decided.text),
      h("span", { class: "usage" }, usageLine(tn.usage)),
      tn.cost ? h("span", { class: "cost" }, usd(tn.cost.total)) : null,
    ),
    tn.input.map((m) => turn(m.role, m.content, tools)),
    tn.reply ? turn("assistant", tn.reply, tools, h("span", { class: "served" }, " · " + (tn.stop_reason || ""))) : null,
    tn.error_body ? h("pre", { class: "json err" }, json(tn.error_body)) : null,
  );
}

// The open thread: its turns so far, so that a new request in it fetches only what came after (a long agent
// session is hundreds of turns).
const shown = { key: null, last: -1, cost: 0, count: 0, tools: new Map() };

function threadLine() {
  return `${shown.key} · ${shown.count} request(s) · ${usd(shown.cost)}`;
}

async function openThread(key, scroll) {
  const more = !scroll && shown.key === key;
  app.session = key;
  document.querySelectorAll("#thread-list li.row").forEach((li) => li.classList.toggle("selected", li.dataset.session === key));
  let t;
  try {
    const after = more ? "&after=" + shown.last : "";
    t = await api("GET", "/ui/thread?session=" + encodeURIComponent(key) + after);
  } catch (error) {
    fill($("#thread"), h("p", { class: "empty" }, error.message));
    return;
  }
  if (app.session !== key) return;
  if (more) {
    const fresh = t.turns.filter((tn) => tn.index > shown.last);
    if (!fresh.length) return;
    $("#thread .convo").append(...fresh.map((tn) => threadTurn(tn, shown.tools)));
    for (const tn of fresh) shown.cost += tn.cost ? tn.cost.total : 0;
    shown.count += fresh.length;
    shown.last = fresh[fresh.length - 1].index;
    $("#thread .thread-line").textContent = threadLine();
    return;
  }
  Object.assign(shown, { key, last: -1, cost: 0, count: t.turns.length, tools: new Map() });
  for (const tn of t.turns) shown.cost += tn.cost ? tn.cost.total : 0;
  if (t.turns.length) shown.last = t.turns[t.turns.length - 1].index;
  fill(
    $("#thread"),
    h("header", { class: "detail-head" }, h("h2", {}, t.turns.length ? KIND[t.turns[0].session_kind] || "conversation" : "conversation"), h("div", { class: "muted thread-line" }, threadLine())),
    systemTurn(t.system),
    t.tools && t.tools.length ? h("div", { class: "muted tools-line" }, "tools: " + t.tools.join(", ")) : null,
    h("div", { class: "convo" }, t.turns.map((tn) => threadTurn(tn, shown.tools))),
  );
  if (scroll) $("#thread").scrollTop = 0;
}

function showEntry(index) {
  switchTab("journal");
  openEntry(index);
  const li = document.querySelector(`#entries li.row[data-index="${index}"]`);
  if (li) li.scrollIntoView({ block: "nearest" });
}

// -- state: stubs, scenarios, cache, limits, usage -----------------------------------------------------------

function table(headers, rows, empty) {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h("table", {}, h("tr", {}, headers.map((x) => h("th", {}, x))), rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))));
}

function card(title, ...kids) {
  return h("div", { class: "card card-" + title.toLowerCase().replace(/[^a-z]+/g, "-") }, h("h3", {}, title), kids);
}

function renderState() {
  const s = app.state;
  if (!s) return;
  $("#clock").textContent = s.clock.time.replace("T", " ");
  $("#seed").textContent = "seed " + s.seed;
  $("#strict").checked = s.strict;
  $("#chaos").checked = s.chaos > 0;
  if (s.chaos > 0 && document.activeElement !== $("#chaos-rate")) $("#chaos-rate").value = s.chaos;
  document.body.dataset.clock = String(s.clock.now);
  if (app.tab !== "state") return; // drawn when shown: a running clock changes the state every second
  const cache = s.cache;
  const limits = s.limits;
  const usage = s.usage;
  fill($("#state-body"),
    card(
      "Stubs",
      table(
        ["id", "name", "source", "priority", "lifetime", "matched", "remaining", "scenario"],
        s.stubs.map((st) => [st.id, st.name || "–", st.source, st.priority, st.lifetime, st.matched, st.remaining ?? "∞", st.scenario ? `${st.scenario}${st.requires ? " = " + st.requires : ""}${st.sets ? " → " + st.sets : ""}` : ""]),
        "No stubs: unmatched requests are answered by the behaviour rules (the journal names the rule).",
      ),
    ),
    card("Scenarios", table(["scenario", "state"], Object.entries(s.scenarios), "Every scenario is in its start state.")),
    card(
      "Prompt cache",
      h("div", { class: "kv" }, `${cache.entries} entries (max ${num(cache.max_entries)}) · writes ${cache.writes} · hits ${cache.hits} · evictions ${cache.evictions} · expirations ${cache.expirations}`),
      table(
        ["key", "model", "tokens", "TTL", "expires in", "hits", "readable"],
        cache.data.map((c) => [redact(c.api_key), c.model, num(c.tokens), c.ttl, seconds(c.expires_in_seconds), c.hits, c.readable ? "yes" : "not yet"]),
        "No live cache entries.",
      ),
      h("p", { class: "muted" }, "Remaining TTL on the mock's clock (" + cache.now + "); advance the clock to expire entries."),
    ),
    card(
      "Rate limits",
      limits.enabled ? null : h("p", { class: "muted" }, "Rate limiting is off (serve --rate-limit, or reset with rate_limits): responses carry display headers only."),
      table(
        ["key", "model class", "requests", "input tokens", "output tokens", "full in"],
        limits.data.map((b) => [redact(b.api_key), b.group, `${num(b.requests.remaining)} / ${num(b.requests.limit)}`, `${num(b.input_tokens.remaining)} / ${num(b.input_tokens.limit)}`, `${num(b.output_tokens.remaining)} / ${num(b.output_tokens.limit)}`, seconds(Math.max(b.requests.full_in_seconds, b.input_tokens.full_in_seconds, b.output_tokens.full_in_seconds))]),
        limits.enabled ? "No bucket has been charged yet." : "",
      ),
      limits.count_tokens.length ? table(["key", "count_tokens requests"], limits.count_tokens.map((b) => [redact(b.api_key), `${num(b.requests.remaining)} / ${num(b.requests.limit)}`]), "") : null,
    ),
    card(
      "Usage",
      table(
        ["key", "model", "requests", "input", "cache read", "cache write", "output", "cost", "saved by caching"],
        usage.data.map((r) => [redact(r.api_key), r.model, r.requests, num(r.tokens.input_tokens), num(r.tokens.cache_read_input_tokens), num(r.tokens.cache_creation_input_tokens), num(r.tokens.output_tokens), usd(r.cost_usd.total), usd(r.saved_usd)]),
        "Nothing served yet.",
      ),
      h("div", { class: "kv total-cost" }, `total ${usd(usage.totals.cost_usd)} for ${usage.totals.requests} request(s) · without caching ${usd(usage.totals.cost_without_cache_usd)}`),
    ),
  );
}

// -- tabs and actions ----------------------------------------------------------------------------------------

function switchTab(name) {
  app.tab = name;
  document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("on", b.dataset.tab === name));
  document.querySelectorAll("main > section.tab").forEach((s) => s.classList.toggle("on", s.id === name));
  if (name === "state") renderState();
}

function wire() {
  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => switchTab(b.dataset.tab)));
  for (const id of ["#f-text", "#f-key", "#f-model", "#f-endpoint", "#f-status", "#f-decided"]) $(id).addEventListener("input", scheduleRender);
  $("#strict").addEventListener("change", (ev) => act(ev.target.checked ? "strict mode on" : "strict mode off", "POST", "/strict", { strict: ev.target.checked }));
  const chaos = () => {
    const rate = Math.min(1, Math.max(0.01, Number($("#chaos-rate").value) || 0.2));
    return act($("#chaos").checked ? `chaos on: ${rate}` : "chaos off", "POST", "/chaos", { chaos: $("#chaos").checked ? rate : 0 });
  };
  $("#chaos").addEventListener("change", chaos);
  $("#chaos-rate").addEventListener("change", () => $("#chaos").checked && chaos());
  $("#advance").addEventListener("click", async () => {
    const secs = Math.max(0, Number($("#advance-seconds").value) || 0);
    const data = await act(`clock advanced ${secs}s`, "POST", "/clock/advance", { seconds: secs });
    if (data) $("#clock").textContent = data.time.replace("T", " ");
  });
  $("#clear").addEventListener("click", () => act("journal cleared", "DELETE", "/journal"));
  const reset = $("#reset");
  reset.addEventListener("click", async () => {
    if (!reset.classList.contains("armed")) {
      reset.classList.add("armed");
      reset.textContent = "Confirm reset";
      setTimeout(() => (reset.classList.remove("armed"), (reset.textContent = "Reset")), 3000);
      return;
    }
    reset.classList.remove("armed");
    reset.textContent = "Reset";
    await act("mock reset", "POST", "/reset", {});
  });
}

wire();
renderLists();
connect();
