"""`assistant calibrate`: fit the answerability score on the dev split, for the current embedder.

Each dev question the router sends to the article path becomes one example: in-scope article
questions are positives, off-topic questions negatives. A logistic regression over the
features of assistant/answerability.py gives the weights; the threshold is the highest one
that keeps false refusals on dev at or below MAX_DEV_FALSE_REFUSALS. The result is written into
prompts/routing.yaml under answerability.calibration.<embedder>; the test split is never read.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .answerability import features
from .config import Settings
from .errors import AssistantError
from .bank import Item, load_bank
from .routing_data import FEATURES, ROUTING_FILE, Calibration
from .phrasings import embed_questions
from .message_models import MessageModel, fit as fit_message_model

MAX_DEV_FALSE_REFUSALS = 0.03  # the target for in-scope false refusals
CALIBRATION_MARKER = "  calibration:"
SIMILARITY_QUANTILES = (0.05, 0.95)  # the embedder's own range of best-passage similarities


@dataclass(frozen=True)
class Example:
    item_id: str
    in_scope: bool
    values: dict[str, float]


def collect(assistant, items: list[Item], calibration: Calibration) -> list[Example]:
    """Features of every dev question that reaches the article path."""
    examples = []
    for item in items:
        if item.split != "dev":
            continue
        if item.kind == "article":
            label = True
        elif item.kind == "offtopic" or (item.kind == "injection" and item.data.get("expect") == "refuse"):
            label = False
        else:
            continue
        question = item.data["question"]
        decision = assistant.route(question, item.data.get("history") or [])
        if decision.path != "articles":
            continue
        result = assistant._search(decision, assistant.settings.top_k)
        values, _ = features(decision.turn, result, assistant._retriever(), assistant.records, assistant.routing,
                             calibration, assistant.lexicon, decision.own)
        examples.append(Example(item.id, label, values))
    return examples


def fit(examples: list[Example], similarity_floor: float, similarity_span: float) -> Calibration:
    """Logistic regression on the examples; threshold at the dev false-refusal budget."""
    from sklearn.linear_model import LogisticRegression  # a dev-time tool: only `calibrate` needs it

    if len({e.in_scope for e in examples}) < 2:
        raise AssistantError("Kalibrasi butuh contoh dalam cakupan dan di luar cakupan di split dev.")
    x = [[e.values[f] for f in FEATURES] for e in examples]
    y = [int(e.in_scope) for e in examples]
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit(x, y)
    weights = {f: round(float(w), 4) for f, w in zip(FEATURES, model.coef_[0])}
    bias = round(float(model.intercept_[0]), 4)
    scores = sorted(_score(bias, weights, e.values) for e in examples if e.in_scope)
    allowed = int(math.floor(MAX_DEV_FALSE_REFUSALS * len(scores)))
    # Refusing below the (allowed+1)-th lowest in-scope score refuses at most `allowed` of them.
    threshold = scores[allowed] - 1e-6 if scores else 0.5
    return Calibration(bias, weights, similarity_floor, similarity_span, round(threshold, 6))


def _score(bias: float, weights: dict[str, float], values: dict[str, float]) -> float:
    z = bias + sum(weights[k] * values[k] for k in weights)
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def similarity_range(assistant, items: list[Item]) -> tuple[float, float]:
    """Floor and span of the best-passage similarity over dev questions, for this embedder."""
    values = []
    for item in items:
        if item.split == "dev" and item.kind in ("article", "offtopic"):
            decision = assistant.route(item.data["question"], item.data.get("history") or [])
            values.append(assistant._search(decision, 1).best_similarity)
    values.sort()
    if not values:
        return 0.8, 0.1
    low = values[int(SIMILARITY_QUANTILES[0] * (len(values) - 1))]
    high = values[int(SIMILARITY_QUANTILES[1] * (len(values) - 1))]
    return round(low, 4), round(max(high - low, 1e-3), 4)


def calibrate(assistant, eval_dir: Path) -> tuple[Calibration, dict[str, float]]:
    """Fit the calibration for the assistant's embedder; also report its dev figures."""
    items = load_bank(eval_dir, assistant.settings.corpus_dir)
    floor, span = similarity_range(assistant, items)
    provisional = Calibration(0.0, {}, floor, span, 0.5)
    examples = collect(assistant, items, provisional)
    calibration = fit(examples, floor, span)
    inside = [e for e in examples if e.in_scope]
    outside = [e for e in examples if not e.in_scope]
    accept = [_score(calibration.bias, calibration.weights, e.values) >= calibration.threshold for e in examples]
    by_id = dict(zip((e.item_id for e in examples), accept))
    report = {
        "examples": len(examples),
        "false refusals (dev)": sum(not by_id[e.item_id] for e in inside) / max(len(inside), 1),
        "off-topic refused (dev, of those on the article path)": sum(not by_id[e.item_id] for e in outside) / max(len(outside), 1),
    }
    return calibration, report


def write_calibration(prompts_dir: Path, embedder: str, calibration: Calibration) -> Path:
    """Replace this embedder's entry under answerability.calibration in prompts/routing.yaml."""
    path = Path(prompts_dir) / ROUTING_FILE
    text = path.read_text(encoding="utf-8")
    head, marker, _ = text.partition(CALIBRATION_MARKER)
    if not marker:
        raise AssistantError(f"{path.name}: baris '{CALIBRATION_MARKER.strip()}' tidak ditemukan.")
    entries = dict(yaml.safe_load(text)["answerability"]["calibration"])
    entries[embedder] = copy.deepcopy({
        "bias": calibration.bias,
        "weights": calibration.weights,
        "similarity_floor": calibration.similarity_floor,
        "similarity_span": calibration.similarity_span,
        "threshold": calibration.threshold,
    })
    if embedder == Settings().embedder:  # the default embedder's calibration is everyone's fallback
        entries["default"] = copy.deepcopy(entries[embedder])
    body = yaml.safe_dump({"calibration": entries}, sort_keys=False, default_flow_style=None, width=100)
    indented = "\n".join("  " + line if line else line for line in body.splitlines())
    path.write_text(head + indented + "\n", encoding="utf-8")
    return path


# Thresholds, chosen on dev. smalltalk: on a blind round the fit never saw, 0.8 caught 17 of 21
# small-talk turns with 1 false positive in 74 other messages (naming a place, which keeps it a
# question anyway). offtopic: in 5-fold cross-validation over dev, 0.95 took 5 of 2605 in-scope
# messages for off-topic and caught 6 of the 26 off-topic questions the rules let through.
MESSAGE_THRESHOLDS = {"smalltalk": 0.8, "offtopic": 0.95}


def message_examples(items: list[Item]) -> dict[str, list[tuple[str, bool]]]:
    """The dev messages each model learns from, with their label: every question and every
    conversation turn for small talk; in-scope and off-topic ones (no small talk, no injection
    attempt) for off-topic."""
    found: dict[str, list[tuple[str, bool]]] = {"smalltalk": [], "offtopic": []}
    for item in items:
        if item.split != "dev":
            continue
        if item.kind == "conversation":
            messages = [(t["user"], t["expect"]) for t in item.data["turns"]]
        elif item.data.get("question"):
            expect = {"smalltalk": item.kind == "smalltalk",
                      "refuse": item.kind == "offtopic" or item.data.get("expect") == "refuse"}
            messages = [(item.data["question"], expect)]
        else:
            continue
        for text, expect in messages:
            found["smalltalk"].append((text, bool(expect.get("smalltalk"))))
            if not expect.get("smalltalk") and not (item.kind == "injection" and expect.get("refuse")):
                found["offtopic"].append((text, bool(expect.get("refuse"))))
    return found


def calibrate_messages(assistant, eval_dir: Path) -> tuple[dict[str, MessageModel], dict[str, float]]:
    """Fit the message models on the dev split for the assistant's embedder; report their dev fit."""
    found = message_examples(load_bank(eval_dir, assistant.settings.corpus_dir))
    texts = sorted({text for examples in found.values() for text, _ in examples})
    vectors = dict(zip(texts, embed_questions(assistant.index.embedder, texts).astype(np.float64)))
    models, report = {}, {}
    for name, examples in found.items():
        x = np.asarray([vectors[text] for text, _ in examples])
        labels = np.asarray([label for _, label in examples])
        models[name] = model = fit_message_model(x, labels, MESSAGE_THRESHOLDS[name])
        said = np.asarray([model.says_yes(v) for v in x])
        report[f"{name}: examples"] = len(examples)
        report[f"{name}: caught (dev, in-sample)"] = float(said[labels].mean())
        report[f"{name}: others taken for it (dev, in-sample)"] = float(said[~labels].mean())
    return models, report
