// Asisten Kota Kembar: embed loader for a host page (docs/EMBED.md).
//
//   <script src="https://ASISTEN/widget/embed.js" async
//           data-title="Asisten Kerja Sama Kota" data-greeting="Halo warga!"
//           data-color="#1d4ed8" data-position="right"></script>
//
// Adds a launcher bubble (bottom right or left) that opens the widget in an iframe from the
// assistant's own origin; minimise (or Escape) closes it and returns focus to the bubble.
// Also defines <asisten-kota-kembar> for an inline widget with the same attributes (no bubble).
// Everything lives in a shadow root, so the host page's CSS neither breaks it nor is touched by it.
(function () {
  "use strict";

  var TEXT = __AKK_TEXT__; // prompts/widget.yaml, filled in by the server
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, location.href).origin;
  var SVG = '<svg viewBox="0 0 24 24" width="28" height="28" fill="none" stroke="currentColor" stroke-width="2" ' +
            'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">';
  var CHAT_ICON = SVG + '<path d="M21 11.5a8.38 8.38 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.38 8.38 0 0 1-3.8-.9L3 21l1.9-5.7' +
                  'a8.38 8.38 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.38 8.38 0 0 1 3.8-.9h.5a8.48 8.48 0 0 1 8 8v.5z"/></svg>';
  var CLOSE_ICON = SVG + '<path d="M6 9l6 6 6-6"/></svg>';
  var OPEN_KEY = "akk-launcher-open";

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) { return values[key] || ""; });
  }

  function config(source) {
    function attr(name) { return (source.getAttribute("data-" + name) || source.getAttribute(name) || "").trim(); }
    var color = attr("color");
    return {
      title: attr("title").slice(0, 60) || TEXT.title,
      greeting: attr("greeting").slice(0, 400),
      color: /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color : "",
      position: attr("position") === "left" ? "left" : "right",
      open: attr("open") === "true"
    };
  }

  function frameUrl(cfg, mode) {
    var params = new URLSearchParams();
    params.set("title", cfg.title);
    if (cfg.greeting) params.set("greeting", cfg.greeting);
    if (cfg.color) params.set("color", cfg.color);
    if (mode) params.set("mode", mode);
    return origin + "/widget?" + params.toString();
  }

  // When the browser blocks storage inside the cross-site widget frame, the widget asks its host
  // page to keep the conversation (this tab only, sessionStorage of the host page).
  var STATE_KEY = "akk-widget-state";

  function keepState(frame) {
    window.addEventListener("message", function (e) {
      if (e.origin !== origin || e.source !== frame.contentWindow || !e.data) return;
      try {
        if (e.data.type === "akk:save" && typeof e.data.state === "string") {
          sessionStorage.setItem(STATE_KEY, e.data.state);
        } else if (e.data.type === "akk:load") {
          frame.contentWindow.postMessage({ type: "akk:state", state: sessionStorage.getItem(STATE_KEY) }, origin);
        }
      } catch (err) { /* storage blocked here too: the chat still works, without surviving a reload */ }
    });
  }

  function makeFrame(cfg, mode) {
    var frame = document.createElement("iframe");
    frame.src = frameUrl(cfg, mode);
    frame.title = fill(TEXT.frame_title, { title: cfg.title });
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-forms");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    keepState(frame);
    return frame;
  }

  function sheet(root, css) {
    // Constructable stylesheets are not "inline styles", so a strict host CSP does not block them.
    try {
      var s = new CSSStyleSheet();
      s.replaceSync(css);
      root.adoptedStyleSheets = [s];
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = css;
      root.appendChild(style);
    }
  }

  var LAUNCHER_CSS =
    ":host { all: initial; }" +
    ".bubble { position: fixed; bottom: 20px; %SIDE%: 20px; z-index: 2147483000; width: 60px; height: 60px; border: 0;" +
    "  border-radius: 50%; background: %ACCENT%; color: %ON%; cursor: pointer; display: flex; align-items: center; justify-content: center;" +
    "  box-shadow: 0 6px 20px rgba(15,23,42,.28); }" +
    ".bubble:focus-visible { outline: 3px solid %ACCENT%; outline-offset: 3px; }" +
    ".panel { position: fixed; bottom: 92px; %SIDE%: 20px; z-index: 2147483000; width: min(400px, calc(100vw - 40px));" +
    "  height: min(640px, calc(100vh - 120px)); border-radius: 16px; overflow: hidden; background: #fff;" +
    "  box-shadow: 0 12px 40px rgba(15,23,42,.3); }" +
    ".panel[hidden] { display: none; }" +
    ".panel iframe { width: 100%; height: 100%; border: 0; display: block; }" +
    "@media (max-width: 480px) { .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }" +
    "  .open .bubble { display: none; } }";

  function readable(hex) {
    var h = hex.slice(1);
    if (h.length === 3) h = h.replace(/./g, "$&$&");
    var rgb = [0, 2, 4].map(function (i) {
      var v = parseInt(h.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return 1.05 / (lum + 0.05) >= 4.5 ? "#ffffff" : "#111827";
  }

  function mountLauncher() {
    var cfg = config(script);
    var accent = cfg.color || "#0b6e4f";
    var host = document.createElement("div");
    host.setAttribute("data-akk-launcher", "");
    var root = host.attachShadow({ mode: "open" });
    sheet(root, LAUNCHER_CSS.replace(/%SIDE%/g, cfg.position).replace(/%ACCENT%/g, accent)
                          .replace(/%ON%/g, readable(accent)));
    var wrap = document.createElement("div");
    var panel = document.createElement("div");
    panel.className = "panel";
    panel.id = "akk-panel";
    panel.hidden = true;
    var bubble = document.createElement("button");
    bubble.type = "button";
    bubble.className = "bubble";
    bubble.setAttribute("aria-controls", "akk-panel");
    wrap.appendChild(panel);
    wrap.appendChild(bubble);
    root.appendChild(wrap);
    document.body.appendChild(host);
    var frame = null;

    function render(open) {
      wrap.className = open ? "open" : "";
      panel.hidden = !open;
      bubble.setAttribute("aria-expanded", open ? "true" : "false");
      bubble.setAttribute("aria-label", fill(open ? TEXT.launcher_close : TEXT.launcher_open, { title: cfg.title }));
      bubble.title = bubble.getAttribute("aria-label");
      bubble.innerHTML = open ? CLOSE_ICON : CHAT_ICON; // fixed markup, no user text
    }

    function setOpen(open, focus) {
      if (open && !frame) { // the widget loads on first open: nothing heavy on pages where nobody chats
        frame = makeFrame(cfg, "launcher");
        frame.addEventListener("load", function () {
          if (!panel.hidden) frame.contentWindow.postMessage({ type: "akk:opened" }, origin);
        });
        panel.appendChild(frame);
      } else if (open && focus) {
        frame.contentWindow.postMessage({ type: "akk:opened" }, origin);
      }
      render(open);
      try { sessionStorage.setItem(OPEN_KEY, open ? "1" : "0"); } catch (e) { /* storage blocked */ }
      if (!open && focus) bubble.focus();
    }

    bubble.addEventListener("click", function () { setOpen(panel.hidden, true); });
    window.addEventListener("message", function (e) {
      if (e.origin === origin && frame && e.source === frame.contentWindow && e.data && e.data.type === "akk:minimise") {
        setOpen(false, true);
      }
    });
    root.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !panel.hidden) { setOpen(false, true); }
    });
    var wasOpen = false;
    try { wasOpen = sessionStorage.getItem(OPEN_KEY) === "1"; } catch (e) { /* storage blocked */ }
    render(false);
    if (wasOpen || cfg.open) setOpen(true, false);
  }

  // <asisten-kota-kembar title="…" greeting="…" color="#…"></asisten-kota-kembar>: an inline widget.
  if (window.customElements && !customElements.get("asisten-kota-kembar")) {
    customElements.define("asisten-kota-kembar", class extends HTMLElement {
      connectedCallback() {
        if (this.shadowRoot) return;
        var root = this.attachShadow({ mode: "open" });
        sheet(root, ":host { display: block; height: 560px; max-width: 100%; border: 1px solid #d9dde3;" +
                    " border-radius: 14px; overflow: hidden; } iframe { width: 100%; height: 100%; border: 0; display: block; }");
        root.appendChild(makeFrame(config(this), ""));
      }
    });
  }

  if (script.getAttribute("data-launcher") !== "false") {
    if (document.body) mountLauncher();
    else document.addEventListener("DOMContentLoaded", mountLauncher);
  }
})();
