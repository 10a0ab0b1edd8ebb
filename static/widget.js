// Asisten Kota Kembar widget: calls POST /api/ask and /api/feedback on its own origin.
// Every user or model string goes into the page through textContent / createTextNode, never
// innerHTML, so "<script>" in a question or a source is shown as text.
// Options come from the page URL (set by embed.js or by hand in an iframe src):
//   title, greeting, color (#rgb / #rrggbb), mode=launcher (adds the minimise button).
(function () {
  "use strict";

  var STORAGE_KEY = "akk-widget:v1";
  var MAX_HISTORY = 10; // turns sent back for follow-ups ("kalau Bandung?")
  var MAX_STORED_ITEMS = 60;
  var DEFAULT_COLOR = "#0b6e4f";
  var SVG_NS = "http://www.w3.org/2000/svg";
  // Icon paths from Feather (MIT), drawn with stroke="currentColor".
  var ICONS = {
    send: ["M22 2L11 13", "M22 2l-7 20-4-9-9-4 20-7z"],
    edit: ["M12 20h9", "M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4z"],
    minimise: ["M6 9l6 6 6-6"],
    close: ["M18 6L6 18", "M6 6l12 12"],
    up: ["M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3z",
         "M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3"],
    down: ["M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3z",
           "M17 2h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17"],
    link: ["M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6", "M15 3h6v6", "M10 14L21 3"]
  };

  var T = {}; // phrases (prompts/widget.yaml)
  var options = {};
  var state = { items: [] }; // items: {type: "user", text} | {type: "bot", data, rating, sent, comment}
  var dom = {};
  var lastCitationButton = null;

  // ---- small helpers -------------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function icon(name) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "2");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    ICONS[name].forEach(function (d) {
      var path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    });
    return svg;
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function safeUrl(url) {
    // Only http(s) links: a "javascript:" URL in a source must not become clickable.
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  // A short human name for a source URL; same rules as assistant.records.source_label.
  function linkLabel(url) {
    if (url.indexOf("Hekman/twincities") >= 0) return "daftar Wikipedia (CC BY-SA)";
    if (url.indexOf("L3viathan/sister-cities") >= 0) return "crawl Wikidata 2016 (CC0)";
    try {
      var host = new URL(url).host.toLowerCase();
      return host.indexOf("www.") === 0 ? host.slice(4) : host || url;
    } catch (e) {
      return url;
    }
  }

  // ---- theme ---------------------------------------------------------------------------------

  function hexToRgb(hex) {
    var h = hex.slice(1);
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    return [0, 2, 4].map(function (i) { return parseInt(h.slice(i, i + 2), 16); });
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function toHex(rgb) {
    return "#" + rgb.map(function (v) { return ("0" + Math.round(v).toString(16)).slice(-2); }).join("");
  }

  function mix(rgb, other, amount) {
    return rgb.map(function (v, i) { return v + (other[i] - v) * amount; });
  }

  // The host's colour for the header and buttons, with text that stays readable on it, and a
  // darker shade of it wherever it is used as text on white (links, citation numbers).
  function applyColor(color) {
    var accent = hexToRgb(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color || "") ? color : DEFAULT_COLOR);
    var white = [255, 255, 255], black = [17, 24, 39];
    var onAccent = contrast(accent, white) >= 4.5 ? white : black;
    var ink = accent;
    for (var i = 0; i < 20 && contrast(ink, white) < 6; i++) ink = mix(ink, [0, 0, 0], 0.15);
    var root = document.documentElement.style;
    root.setProperty("--akk-accent", toHex(accent));
    root.setProperty("--akk-on-accent", toHex(onAccent));
    root.setProperty("--akk-ink", toHex(ink));
    root.setProperty("--akk-soft", toHex(mix(accent, white, 0.9)));
  }

  // ---- answer text -> DOM ----------------------------------------------------------------------

  var ITEM = /^([ \t]*)(?:[-•*]|(\d{1,3})[.)])\s+(.*\S)\s*$/;

  function indentWidth(prefix) {
    var width = 0;
    for (var i = 0; i < prefix.length; i++) width += prefix[i] === "\t" ? 4 : 1;
    return width;
  }

  // Same rules as webui/render.py parse_answer: one paragraph per line, lists nested by
  // indentation; a line that is not an item ends the lists unless it is indented under one.
  function renderAnswerText(parent, text, byNumber) {
    var open = []; // [{indent, list}]
    String(text || "").split("\n").forEach(function (line) {
      if (!line.trim()) { open = []; return; }
      var match = ITEM.exec(line);
      if (!match) {
        var indent = indentWidth(line.slice(0, line.length - line.replace(/^[ \t]+/, "").length));
        while (open.length && open[open.length - 1].indent >= indent) open.pop();
        var p = el("p", /^Catatan:/.test(line.trim()) ? "akk-note" : null);
        appendWithCitations(p, line.trim(), byNumber);
        (open.length ? open[open.length - 1].list.lastChild : parent).appendChild(p);
        return;
      }
      var depth = indentWidth(match[1]);
      var ordered = match[2] !== undefined;
      while (open.length && open[open.length - 1].indent > depth) open.pop();
      var top = open[open.length - 1];
      if (top && top.indent === depth && top.ordered !== ordered) { open.pop(); top = open[open.length - 1]; }
      if (!top || top.indent < depth) {
        var list = el(ordered ? "ol" : "ul");
        (top ? top.list.lastChild : parent).appendChild(list);
        open.push({ indent: depth, ordered: ordered, list: list });
      }
      var li = el("li");
      appendWithCitations(li, match[3], byNumber);
      open[open.length - 1].list.appendChild(li);
    });
  }

  // Text with [n] markers -> text nodes + citation buttons (only for n that has a citation).
  function appendWithCitations(parent, text, byNumber) {
    var re = /\[(\d+)\]/g, last = 0, match;
    while ((match = re.exec(text)) !== null) {
      var citation = byNumber[match[1]];
      if (!citation) continue;
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var button = el("button", "akk-cite");
      button.type = "button";
      button.setAttribute("aria-haspopup", "dialog");
      button.setAttribute("aria-label", fill(T.cite_label, { n: match[1], title: citation.title || "" }));
      button.appendChild(el("span", "akk-cite-pill", match[1]));
      button.addEventListener("click", showSource.bind(null, citation, button));
      parent.appendChild(button);
      last = re.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---- source panel ------------------------------------------------------------------------------

  function showSource(citation, button) {
    lastCitationButton = button;
    dom.sourceTitle.textContent = "[" + citation.n + "] " + (citation.title || "");
    dom.sourceSection.textContent = citation.section ? fill(T.source_section, { section: citation.section }) : "";
    dom.sourceSection.hidden = !citation.section;
    dom.sourceText.textContent = citation.text || "";
    dom.sourceLinks.replaceChildren();
    var urls = (citation.urls && citation.urls.length) ? citation.urls : (citation.url ? [citation.url] : []);
    var labels = urls.map(linkLabel), seen = {}, totals = {};
    labels.forEach(function (l) { totals[l] = (totals[l] || 0) + 1; });
    urls.forEach(function (raw, i) {
      var label = labels[i];
      seen[label] = (seen[label] || 0) + 1;
      if (totals[label] > 1) label += " (" + seen[label] + ")";
      var href = safeUrl(raw);
      var li = el("li");
      if (href) {
        var a = el("a", null, label);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.title = raw;
        a.appendChild(icon("link"));
        li.appendChild(a);
      } else {
        li.textContent = label;
      }
      dom.sourceLinks.appendChild(li);
    });
    dom.sourceLinksLabel.textContent = urls.length ? T.source_links : T.source_no_link;
    dom.source.hidden = false;
    dom.source.scrollTop = 0;
    dom.sourceTitle.focus();
  }

  function closeSource() {
    if (dom.source.hidden) return false;
    dom.source.hidden = true;
    if (lastCitationButton && document.contains(lastCitationButton)) lastCitationButton.focus();
    else dom.input.focus();
    return true;
  }

  // ---- messages ----------------------------------------------------------------------------------

  function scrollToStart(node) {
    // Keep the start of a new answer in view (long answers must not jump to their end).
    dom.scroll.scrollTop = Math.max(0, node.offsetTop - dom.scroll.offsetTop - 8);
  }

  function addBubble(cls) {
    var msg = el("div", "akk-msg " + cls);
    var bubble = el("div", "akk-bubble");
    msg.appendChild(bubble);
    dom.log.appendChild(msg);
    return msg;
  }

  function renderUser(text) {
    addBubble("akk-user").firstChild.textContent = text;
  }

  function renderBot(item) {
    var msg = addBubble("akk-bot");
    var byNumber = {};
    (item.data.citations || []).forEach(function (c) { byNumber[String(c.n)] = c; });
    renderAnswerText(msg.firstChild, item.data.answer, byNumber);
    if (!item.data.refused) addRating(msg, item);
    return msg;
  }

  function renderError(text) {
    addBubble("akk-error").firstChild.textContent = text;
  }

  function renderGreeting() {
    var msg = addBubble("akk-bot akk-greeting");
    msg.firstChild.textContent = options.greeting;
  }

  function renderAll() {
    dom.log.replaceChildren();
    renderGreeting();
    state.items.forEach(function (item) {
      if (item.type === "user") renderUser(item.text);
      else if (item.type === "bot") renderBot(item);
      else if (item.type === "error") renderError(item.text);
    });
    dom.starters.hidden = state.items.length > 0;
  }

  // ---- feedback: a rating is sent with its optional comment, once ---------------------------------

  function sendFeedback(item, keepalive) {
    if (!item.rating || item.sent) return Promise.resolve(true);
    item.sent = true;
    save();
    return fetch("/api/feedback", {
      method: "POST",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: item.data.question, answer: item.data.answer, rating: item.rating,
                             comment: item.comment || null,
                             // which sources were shown, not their texts: the body stays small
                             citations: (item.data.citations || []).map(function (c) {
                               return { n: c.n, source_id: c.source_id, url: c.url };
                             }) })
    }).then(function (r) { return r.ok; }).catch(function () { return false; });
  }

  function flushPendingFeedback(keepalive) {
    state.items.forEach(function (item) {
      if (item.type === "bot" && item.rating && !item.sent) sendFeedback(item, keepalive);
    });
  }

  function addRating(msg, item) {
    var bar = el("div", "akk-rate");
    bar.appendChild(el("span", "akk-rate-label", T.rate_question));
    var status = el("span", "akk-rate-status");
    status.setAttribute("role", "status");
    var buttons = [["up", T.rate_up], ["down", T.rate_down]].map(function (pair) {
      var b = el("button", "akk-rate-btn");
      b.type = "button";
      b.setAttribute("aria-label", pair[1]);
      b.title = pair[1];
      b.setAttribute("aria-pressed", item.rating === pair[0] ? "true" : "false");
      b.appendChild(icon(pair[0]));
      b.disabled = !!item.sent;
      b.addEventListener("click", function () {
        item.rating = pair[0];
        buttons.forEach(function (x) { x.setAttribute("aria-pressed", x === b ? "true" : "false"); });
        save();
        form.hidden = false;
        form.querySelector("textarea").focus();
      });
      bar.appendChild(b);
      return b;
    });
    bar.appendChild(status);
    msg.appendChild(bar);

    var form = el("form", "akk-comment");
    form.hidden = !item.rating || !!item.sent;
    var id = "akk-c-" + Math.random().toString(36).slice(2);
    var label = el("label", null, T.comment_label);
    label.htmlFor = id;
    var area = el("textarea");
    area.id = id;
    area.rows = 2;
    area.maxLength = 1000;
    area.placeholder = T.comment_placeholder;
    var actions = el("div", "akk-comment-actions");
    var submit = el("button", "akk-btn akk-btn-primary", T.comment_send);
    submit.type = "submit";
    var skip = el("button", "akk-btn", T.comment_skip);
    skip.type = "button";
    actions.appendChild(submit);
    actions.appendChild(skip);
    form.appendChild(label);
    form.appendChild(area);
    form.appendChild(actions);
    msg.appendChild(form);

    function finish(comment) {
      item.comment = (comment || "").trim() || null;
      form.hidden = true;
      buttons.forEach(function (x) { x.disabled = true; });
      sendFeedback(item).then(function (ok) {
        status.textContent = ok ? T.feedback_thanks : T.feedback_failed;
      });
      (buttons.filter(function (x) { return x.getAttribute("aria-pressed") === "true"; })[0] || dom.input).focus();
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); finish(area.value); });
    skip.addEventListener("click", function () { finish(null); });
    if (item.sent) status.textContent = T.feedback_thanks;
  }

  // ---- asking --------------------------------------------------------------------------------------

  function history() {
    var turns = [];
    state.items.forEach(function (item) {
      if (item.type === "user") turns.push({ role: "user", content: item.text });
      else if (item.type === "bot") turns.push({ role: "assistant", content: item.data.answer });
    });
    return turns.slice(-MAX_HISTORY);
  }

  function ask(question) {
    question = String(question || "").trim();
    if (!question || dom.send.disabled) return;
    flushPendingFeedback(false);
    closeSource();
    var turns = history();
    state.items.push({ type: "user", text: question });
    save();
    dom.starters.hidden = true; // chips make room for the conversation
    renderUser(question);
    dom.input.value = "";
    autosize();
    dom.send.disabled = true;
    var pending = addBubble("akk-bot akk-pending");
    pending.firstChild.textContent = T.pending;
    scrollToStart(pending.previousSibling);
    fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question, history: turns })
    }).then(function (r) {
      return r.json().catch(function () { return { error: T.error_unreadable }; })
        .then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      pending.remove();
      if (!res.ok || res.data.error) {
        var message = res.data.error || T.error_server;
        state.items.push({ type: "error", text: message });
        renderError(message);
      } else {
        var item = { type: "bot", data: { question: question, answer: res.data.answer, refused: !!res.data.refused,
                                          citations: res.data.citations || [] }, rating: null, sent: false };
        state.items.push(item);
        scrollToStart(renderBot(item));
      }
      save();
    }).catch(function () {
      pending.remove();
      state.items.push({ type: "error", text: T.error_network });
      renderError(T.error_network);
      save();
    }).finally(function () {
      dom.send.disabled = false;
      dom.input.focus();
    });
  }

  function newChat() {
    flushPendingFeedback(false);
    closeSource();
    state.items = [];
    save();
    renderAll();
    dom.input.focus();
  }

  // ---- persistence: the conversation survives page loads within the tab (sessionStorage) -------

  // Browsers that block storage in cross-site frames (Safari, Firefox strict, private windows)
  // throw here; then the embed loader on the host page keeps the conversation for us.
  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function hostOrigin() {
    try { return window.parent !== window && document.referrer ? new URL(document.referrer).origin : null; }
    catch (e) { return null; }
  }

  function save() {
    state.items = state.items.slice(-MAX_STORED_ITEMS);
    var json = JSON.stringify({ items: state.items });
    try {
      storage().setItem(STORAGE_KEY, json);
    } catch (e) {
      var host = hostOrigin();
      if (host) window.parent.postMessage({ type: "akk:save", state: json }, host);
    }
  }

  function restore(json) {
    try {
      var saved = JSON.parse(json || "null");
      if (saved && Array.isArray(saved.items)) {
        state.items = saved.items.filter(function (item) {
          return item && (item.type === "user" || item.type === "error") ? typeof item.text === "string"
            : item && item.type === "bot" && item.data && typeof item.data.answer === "string";
        });
      }
    } catch (e) { state.items = []; }
  }

  // Calls back once the saved conversation (if any) is in state.items.
  function load(done) {
    var json = null;
    try { json = storage().getItem(STORAGE_KEY); } catch (e) { json = undefined; }
    var host = hostOrigin();
    if (json !== undefined || !host) { restore(json); done(); return; }
    var finished = false;
    function finish(value) {
      if (finished) return;
      finished = true;
      window.removeEventListener("message", onReply);
      restore(value);
      done();
    }
    function onReply(e) {
      if (e.source === window.parent && e.origin === host && e.data && e.data.type === "akk:state") {
        finish(typeof e.data.state === "string" ? e.data.state : null);
      }
    }
    window.addEventListener("message", onReply);
    window.parent.postMessage({ type: "akk:load" }, host);
    setTimeout(function () { finish(null); }, 400); // a plain iframe has no loader to answer
  }

  // ---- wiring ----------------------------------------------------------------------------------------

  function autosize() {
    dom.input.style.height = "auto";
    dom.input.style.height = Math.min(dom.input.scrollHeight, 120) + "px";
  }

  function iconButton(button, name, label, withText) {
    button.replaceChildren(icon(name));
    if (withText) button.appendChild(el("span", "akk-btn-text", label));
    button.setAttribute("aria-label", label);
    button.title = label;
  }

  function readOptions() {
    var params = new URLSearchParams(location.search);
    function text(name, fallback, limit) {
      var value = (params.get(name) || "").trim();
      return value ? value.slice(0, limit) : fallback;
    }
    return {
      title: text("title", T.title, 60),
      greeting: text("greeting", T.greeting, 400),
      color: params.get("color") || DEFAULT_COLOR,
      launcher: params.get("mode") === "launcher"
    };
  }

  function minimise() {
    flushPendingFeedback(true);
    if (window.parent !== window) window.parent.postMessage({ type: "akk:minimise" }, "*");
  }

  document.addEventListener("DOMContentLoaded", function () {
    try { T = JSON.parse(document.getElementById("akk-text").textContent); } catch (e) { T = {}; }
    options = readOptions();
    applyColor(options.color);
    ["log", "scroll", "starters", "source", "form", "input", "send"].forEach(function (name) {
      dom[name] = document.getElementById("akk-" + name);
    });
    dom.sourceTitle = document.getElementById("akk-source-title");
    dom.sourceSection = document.getElementById("akk-source-section");
    dom.sourceText = document.getElementById("akk-source-text");
    dom.sourceLinks = document.getElementById("akk-source-links");
    dom.sourceLinksLabel = document.getElementById("akk-source-links-label");

    document.title = options.title;
    document.getElementById("akk-title").textContent = options.title;
    document.getElementById("akk-subtitle").textContent = T.subtitle || "";
    document.getElementById("akk-footer").textContent = T.footer || "";
    document.getElementById("akk-input-label").textContent = T.input_label;
    dom.log.setAttribute("aria-label", T.log_label);
    dom.starters.setAttribute("aria-label", T.starters_label);
    dom.input.placeholder = T.input_placeholder;
    iconButton(dom.send, "send", T.send, false);
    iconButton(document.getElementById("akk-new"), "edit", T.new_chat, true);
    iconButton(document.getElementById("akk-source-close"), "close", T.source_close, false);
    var minimiseButton = document.getElementById("akk-minimise");
    iconButton(minimiseButton, "minimise", T.minimise, false);
    minimiseButton.hidden = !options.launcher;

    (T.starters || []).forEach(function (question) {
      var chip = el("button", "akk-chip", question);
      chip.type = "button";
      chip.addEventListener("click", function () { ask(question); });
      dom.starters.appendChild(chip);
    });

    renderAll();
    load(function () {
      renderAll();
      dom.scroll.scrollTop = dom.scroll.scrollHeight;
    });

    dom.form.addEventListener("submit", function (e) { e.preventDefault(); ask(dom.input.value); });
    dom.input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); ask(dom.input.value); }
    });
    dom.input.addEventListener("input", autosize);
    document.getElementById("akk-new").addEventListener("click", newChat);
    document.getElementById("akk-source-close").addEventListener("click", closeSource);
    minimiseButton.addEventListener("click", minimise);
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      if (closeSource()) { e.preventDefault(); return; }
      if (options.launcher) { e.preventDefault(); minimise(); }
    });
    window.addEventListener("message", function (e) {
      // Only the page that embeds us, and only to focus the question box when it opens the chat.
      if (e.source === window.parent && e.data && e.data.type === "akk:opened") dom.input.focus();
    });
    window.addEventListener("pagehide", function () { flushPendingFeedback(true); });
  });
})();
