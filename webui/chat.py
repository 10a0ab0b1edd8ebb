"""The "Tanya" tab: one HTML message per answer (text, clickable [n], one "Sumber (n)" group),
👍/👎 on the message, and an optional comment on the message that was rated.

No simulated streaming: the core answers in milliseconds, and re-sending a growing chat 30 times
per answer made every turn slower than the one before. The question shows at once with a short
"searching" line, then the whole answer replaces it.
"""
from __future__ import annotations

import logging
from typing import Any, Iterator

import gradio as gr

from assistant.api import ASK_EVENTS, ASK_WORKERS
from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore
from assistant.prompts import Phrases

from .render import escape_markdown, render_answer, render_plain
from .texts import render_texts

log = logging.getLogger("webui.chat")

EXCERPT_CHARS = 80


def answer_excerpt(answer: str, limit: int = EXCERPT_CHARS) -> str:
    """The first non-empty line of an answer, shortened, to name it in the comment box."""
    first = next((line.strip(" -•") for line in answer.splitlines() if line.strip()), "")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


class ChatSession:
    """The chat's logic, separate from its widgets so it can be tested without a browser."""

    def __init__(self, assistant: Any, feedback: FeedbackStore, phrases: Phrases) -> None:
        self.assistant = assistant
        self.feedback = feedback
        self.phrases = phrases
        self.texts = render_texts(phrases)

    def respond(self, question: str, messages: list, turns: list, answers: dict) -> Iterator[tuple]:
        """Yield (messages, turns, answers, status): the question at once, then the whole answer."""
        messages, turns, answers = list(messages or []), list(turns or []), dict(answers or {})
        question = question or ""
        if not question.strip():
            yield messages, turns, answers, self.phrases.get("empty_question")
            return
        messages.append({"role": "user", "content": render_plain(question, "akk-question")})
        messages.append({"role": "assistant", "content": render_plain(self.phrases.get("pending"), "akk-pending")})
        yield list(messages), turns, answers, ""
        try:
            data = self.assistant.ask(question, turns).to_dict()
        except AssistantError as exc:
            messages[-1] = {"role": "assistant", "content": render_plain(exc.message, "akk-error")}
            yield messages, turns, answers, ""
            return
        except Exception:  # never a traceback in the chat
            log.exception("ask failed")
            messages[-1] = {"role": "assistant", "content": render_plain(self.phrases.get("internal_error"), "akk-error")}
            yield messages, turns, answers, ""
            return
        turn = len(answers) + 1
        messages[-1] = {"role": "assistant", "content": render_answer(data, turn, self.texts)}
        answers[len(messages) - 1] = {**data, "number": turn}
        turns = turns + [{"role": "user", "content": question}, {"role": "assistant", "content": data["answer"]}]
        yield messages, turns, answers, ""

    def rate(self, answers: dict, index: int, liked: Any) -> tuple[str, dict | None]:
        """Store 👍/👎 for the answer at chat index; returns (status, {row_id, number, excerpt} or None)."""
        data = (answers or {}).get(index)
        if data is None:
            return self.phrases.get("rate_user_message"), None
        if liked is True or liked == "Like":
            rating = "up"
        elif liked is False or liked == "Dislike":
            rating = "down"
        else:
            return self.phrases.get("rating_cancelled"), None
        try:
            row_id = self.feedback.record(data["question"], data["answer"], rating, None, data["citations"])
        except AssistantError as exc:
            return exc.message, None
        rated = {"row_id": row_id, "number": data["number"], "excerpt": answer_excerpt(data["answer"])}
        return self.phrases.get(f"rating_saved_{rating}"), rated

    def comment(self, rated: dict | None, text: str) -> tuple[str, str, bool]:
        """Attach the comment to the rated answer's row; returns (status, text left in the box, keep box open)."""
        if not rated:
            return self.phrases.get("comment_needs_rating"), text, False
        try:
            self.feedback.add_comment(rated["row_id"], text)
        except AssistantError as exc:
            return exc.message, text, True
        return self.phrases.get("comment_saved", number=rated["number"]), "", False


def build_chat_tab(assistant: Any, feedback: FeedbackStore, phrases: Phrases) -> None:
    """Widgets and events of the "Tanya" tab."""
    session = ChatSession(assistant, feedback, phrases)
    settings = getattr(assistant, "settings", None)
    max_chars = settings.max_question_chars if settings is not None else 2_000
    starters = list(phrases.raw("starters"))

    chatbot = gr.Chatbot(
        label=phrases.get("chat_label"), show_label=False, elem_id="akk-chat", height="min(64vh, 620px)",
        autoscroll=False,  # ui.js keeps the start of the new answer in view instead of jumping to the bottom
        allow_tags=False, sanitize_html=True, latex_delimiters=[], buttons=[], layout="bubble",
        placeholder=phrases.get("chat_placeholder"), examples=[{"text": q} for q in starters],
        feedback_options=("Like", "Dislike"), group_consecutive_messages=False,
    )
    messages = gr.State([])  # the chat as shown: kept on the server, not uploaded with every question
    turns = gr.State([])  # what the core sees: unescaped {"role","content"} turns
    answers = gr.State({})  # chat index -> answer dict (+ its number), for feedback
    rated = gr.State(None)  # {row_id, number, excerpt} of the last rated answer
    with gr.Row(elem_id="akk-ask-row", equal_height=True):
        box = gr.Textbox(label=phrases.get("question_label"), show_label=False, scale=5, lines=1, max_lines=4,
                         max_length=max_chars, placeholder=phrases.get("question_placeholder"),
                         elem_id="akk-question", autofocus=False)
        send = gr.Button(phrases.get("send"), variant="primary", scale=0, min_width=96, elem_id="akk-send")
    with gr.Group(visible=False, elem_id="akk-comment") as comment_box:
        comment_heading = gr.Markdown(elem_id="akk-comment-heading")
        comment = gr.Textbox(label=phrases.get("comment_label"), placeholder=phrases.get("comment_placeholder"),
                             lines=2, max_lines=5, max_length=1_000, elem_id="akk-comment-text")
        with gr.Row():
            comment_send = gr.Button(phrases.get("comment_send"), variant="primary", size="sm")
            comment_close = gr.Button(phrases.get("comment_close"), variant="secondary", size="sm")
    with gr.Row(elem_id="akk-chat-footer"):
        status = gr.Markdown("", elem_id="akk-status")
        clear = gr.Button(phrases.get("new_chat"), size="sm", variant="secondary", scale=0, min_width=140,
                          elem_id="akk-new-chat")

    def ask(question: str, shown: list, history: list, known: dict) -> Iterator[tuple]:
        for step, (shown, history, known, note) in enumerate(session.respond(question, shown, history, known)):
            # Only the first update empties the box: what the user types while the answer is being
            # found must survive the answer's arrival.
            yield shown, shown, history, known, "" if step == 0 else gr.update(), note

    def ask_example(shown: list, history: list, known: dict, example: gr.SelectData) -> Iterator[tuple]:
        value = example.value
        question = value.get("text", "") if isinstance(value, dict) else str(value)
        yield from ask(question, shown, history, known)

    def on_like(known: dict, like: gr.LikeData) -> tuple:
        index = like.index if isinstance(like.index, int) else like.index[0]
        note, rated_answer = session.rate(known, index, like.liked)
        if rated_answer is None:
            return note, None, gr.update(visible=False), gr.update()
        heading = phrases.get("comment_heading", number=rated_answer["number"], excerpt=rated_answer["excerpt"])
        return note, rated_answer, gr.update(visible=True), gr.update(value=f"**{escape_markdown(heading)}**")

    def on_comment(rated_answer: dict | None, text: str) -> tuple:
        note, left, keep_open = session.comment(rated_answer, text)
        return note, left, gr.update(visible=keep_open)

    outputs = [chatbot, messages, turns, answers, box, status]
    ask_options: dict = {"concurrency_limit": ASK_WORKERS, "concurrency_id": ASK_EVENTS, "show_progress": "hidden"}
    box.submit(ask, [box, messages, turns, answers], outputs, **ask_options)
    send.click(ask, [box, messages, turns, answers], outputs, **ask_options)
    chatbot.example_select(ask_example, [messages, turns, answers], outputs, **ask_options)
    chatbot.like(on_like, [answers], [status, rated, comment_box, comment_heading]).then(
        None, None, None, js="() => window.akkFocus && window.akkFocus('#akk-comment-text textarea')")
    comment_send.click(on_comment, [rated, comment], [status, comment, comment_box])
    comment_close.click(lambda: (gr.update(visible=False), ""), None, [comment_box, comment])
    # Gradio's own trash button clears the chat on screen: forget the conversation with it.
    chatbot.clear(lambda: ([], [], {}, None, "", gr.update(visible=False)), None,
                  [messages, turns, answers, rated, status, comment_box])
    clear.click(lambda: ([], [], [], {}, None, "", "", gr.update(visible=False)), None,
                [chatbot, messages, turns, answers, rated, box, status, comment_box]).then(
        None, None, None, js="() => window.akkFocus && window.akkFocus('#akk-question textarea')")

