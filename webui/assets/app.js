// Asisten Kota Kembar, Gradio page: small behaviours Gradio has no option for.
// - the page is Indonesian (Gradio's template says lang="en");
// - a click on [n] opens that citation's passage in the answer's "Sumber" group;
// - a new answer keeps its start (and its question) in view instead of jumping to the bottom;
// - status lines are announced to screen readers;
// - Gradio's own English control labels (Like, Clear, …) are renamed from window.AKK_LABELS.
(function () {
  "use strict";

  document.documentElement.lang = "id";

  function openCitation(link) {
    var item = document.getElementById((link.getAttribute("href") || "").slice(1));
    if (!item) return;
    for (var node = item; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    var own = item.querySelector("details");
    if (own) own.open = true;
    item.scrollIntoView({ block: "nearest" });
    var summary = item.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
    item.classList.remove("akk-flash");
    void item.offsetWidth; // restart the highlight animation on a second click
    item.classList.add("akk-flash");
  }

  // Capture phase: before Gradio's own link handling, which would treat "#..." as navigation.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a.akk-cite") : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    openCitation(link);
  }, true);

  function scrollParent(el) {
    for (var node = el.parentElement; node; node = node.parentElement) {
      var style = getComputedStyle(node);
      if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
    }
    return null;
  }

  var shown = new WeakSet();

  function keepNewAnswerInView() {
    var chat = document.getElementById("akk-chat");
    if (!chat) return;
    var replies = chat.querySelectorAll(".akk-answer, .akk-pending, .akk-error");
    var reply = replies[replies.length - 1];
    if (!reply || shown.has(reply)) return;
    shown.add(reply);
    var box = scrollParent(reply);
    if (!box) return;
    var boxTop = box.getBoundingClientRect().top;
    var replyTop = reply.getBoundingClientRect().top - boxTop + box.scrollTop;
    var questions = chat.querySelectorAll(".akk-question");
    var question = questions[questions.length - 1];
    var top = replyTop;
    if (question) {
      var questionTop = question.getBoundingClientRect().top - boxTop + box.scrollTop;
      // Show the question too when it leaves most of the view for the answer.
      if (replyTop - questionTop < box.clientHeight * 0.4) top = questionTop;
    }
    box.scrollTop = Math.max(0, top - 12);
  }

  function announceStatus() {
    ["akk-status", "akk-data-count"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el && !el.hasAttribute("role")) {
        el.setAttribute("role", "status");
        el.setAttribute("aria-live", "polite");
      }
    });
  }

  var labels = window.AKK_LABELS || {};

  function relabelGradioControls() {
    document.querySelectorAll("button[aria-label], img[alt]").forEach(function (el) {
      var attr = el.tagName === "IMG" ? "alt" : "aria-label";
      var ours = labels[el.getAttribute(attr)];
      if (!ours) return;
      el.setAttribute(attr, ours);
      if (el.hasAttribute("title")) el.setAttribute("title", ours);
    });
  }

  // Gradio's starter questions sit in role="list" without list items (an axe "critical"): a group.
  function fixExamplesRole() {
    document.querySelectorAll("#akk-chat .examples[role='list']").forEach(function (el) {
      el.setAttribute("role", "group");
      if (labels.__examples__) el.setAttribute("aria-label", labels.__examples__);
    });
  }

  var queued = false;
  function onChange() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () {
      queued = false;
      keepNewAnswerInView();
      announceStatus();
      relabelGradioControls();
      fixExamplesRole();
    });
  }

  function start() {
    new MutationObserver(onChange).observe(document.body, { childList: true, subtree: true });
    onChange();
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);

  // Called from Gradio event chains (js=...): move focus once the element is rendered.
  window.akkFocus = function (selector) {
    setTimeout(function () {
      var el = document.querySelector(selector);
      if (el) el.focus();
    }, 60);
  };
})();
