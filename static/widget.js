// Asisten Kota Kembar widget: calls POST /api/ask on its own origin.
// Every user or model string goes into the page through textContent / createTextNode,
// never innerHTML, so "<script>" in a question or a source is shown as text.
(function () {
  "use strict";

  var MAX_HISTORY = 10; // turns sent back for follow-ups ("kalau Bandung?")
  var history = [];
  var log, form, input, send, panel;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
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

  function addMessage(cls) {
    var item = el("li", "akk-msg " + cls);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  // Text with [n] markers -> text nodes + citation buttons (only for n that has a citation).
  function appendWithCitations(parent, text, byNumber) {
    var re = /\[(\d+)\]/g, last = 0, match;
    while ((match = re.exec(text)) !== null) {
      var citation = byNumber[match[1]];
      if (!citation) continue;
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var button = el("button", "akk-cite", "[" + match[1] + "]");
      button.type = "button";
      button.setAttribute("aria-label", "Lihat sumber " + match[1] + ": " + (citation.title || ""));
      button.addEventListener("click", showSource.bind(null, citation));
      parent.appendChild(button);
      last = re.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderAnswer(item, data) {
    var byNumber = {};
    (data.citations || []).forEach(function (c) { byNumber[String(c.n)] = c; });
    var list = null;
    String(data.answer || "").split("\n").forEach(function (line) {
      if (/^\s*[-•]\s+/.test(line)) {
        if (!list) { list = el("ul"); item.appendChild(list); }
        var li = el("li");
        appendWithCitations(li, line.replace(/^\s*[-•]\s+/, ""), byNumber);
        list.appendChild(li);
      } else if (line.trim()) {
        list = null;
        var p = el("p");
        appendWithCitations(p, line, byNumber);
        item.appendChild(p);
      }
    });
    addRating(item, data);
  }

  function showSource(c) {
    document.getElementById("akk-source-title").textContent = "[" + c.n + "] " + (c.title || "Sumber");
    document.getElementById("akk-source-section").textContent = c.section ? "Bagian: " + c.section : "";
    document.getElementById("akk-source-text").textContent = c.text || "";
    var links = document.getElementById("akk-source-links");
    links.replaceChildren();
    var urls = (c.urls && c.urls.length) ? c.urls : (c.url ? [c.url] : []);
    urls.forEach(function (raw) {
      var href = safeUrl(raw);
      var li = el("li");
      if (href) {
        var a = el("a", null, raw);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        li.appendChild(a);
      } else {
        li.textContent = raw;
      }
      links.appendChild(li);
    });
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
    document.getElementById("akk-source-close").focus();
  }

  function addRating(item, data) {
    var bar = el("div", "akk-rate");
    bar.appendChild(el("span", null, "Membantu?"));
    [["up", "👍"], ["down", "👎"]].forEach(function (pair) {
      var b = el("button", null, pair[1]);
      b.type = "button";
      b.setAttribute("aria-label", pair[0] === "up" ? "Jawaban membantu" : "Jawaban kurang membantu");
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () {
        bar.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
        b.setAttribute("aria-pressed", "true");
        fetch("/api/feedback", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ question: data.question, answer: data.answer, rating: pair[0],
                                 citations: data.citations || [] })
        }).then(function (r) {
          status.textContent = r.ok ? "Makasih!" : "Gagal menyimpan umpan balik.";
        }).catch(function () { status.textContent = "Gagal menyimpan umpan balik."; });
      });
      bar.appendChild(b);
    });
    var status = el("span");
    bar.appendChild(status);
    item.appendChild(bar);
  }

  function ask(question) {
    question = question.trim();
    if (!question) return;
    document.getElementById("akk-starters").hidden = true; // room for the conversation on small frames
    addMessage("akk-user").textContent = question;
    input.value = "";
    send.disabled = true;
    var pending = addMessage("akk-bot");
    pending.textContent = "Sebentar, aku cari dulu…";
    fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question, history: history.slice(-MAX_HISTORY) })
    }).then(function (r) {
      return r.json().catch(function () { return { error: "Jawaban server tidak bisa dibaca." }; })
        .then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      pending.replaceChildren();
      if (!res.ok || res.data.error) {
        pending.className = "akk-msg akk-error";
        pending.textContent = res.data.error || "Maaf, ada gangguan. Coba lagi ya.";
        return;
      }
      renderAnswer(pending, res.data);
      history.push({ role: "user", content: question }, { role: "assistant", content: res.data.answer });
    }).catch(function () {
      pending.className = "akk-msg akk-error";
      pending.textContent = "Tidak bisa menghubungi server. Cek koneksi lalu coba lagi.";
    }).finally(function () {
      send.disabled = false;
      log.scrollTop = log.scrollHeight;
      input.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    log = document.getElementById("akk-log");
    form = document.getElementById("akk-form");
    input = document.getElementById("akk-input");
    send = document.getElementById("akk-send");
    panel = document.getElementById("akk-source");
    form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
    document.getElementById("akk-source-close").addEventListener("click", function () { panel.hidden = true; });
    document.querySelectorAll(".akk-chip").forEach(function (chip) {
      chip.addEventListener("click", function () { ask(chip.textContent); });
    });
  });
})();
