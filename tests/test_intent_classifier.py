"""The offline intent classifier and `classify-eval`, on the package's own seeds.

Fast (a few seconds): every model here trains on the ~150 rows of
`seeds/ai_intent_examples.csv` or on a handful of rows written below.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from python_udfs import classify_eval
from python_udfs.intent_classifier import IntentModel, model_version, taxonomy_hash, train

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _read(path: Path, *columns: str) -> list[tuple[str, ...]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [tuple(row[c] for c in columns) for row in csv.DictReader(handle)]


EXAMPLES = _read(SEEDS / "ai_intent_examples.csv", "text", "intent")
TAXONOMY = _read(SEEDS / "ai_intent_taxonomy.csv", "intent_name", "description")

# Written for this test, none of them in the examples seed (checked below).
OBVIOUS = [
    ("where is my package", "support_shipping"),
    ("when will my order be delivered", "support_shipping"),
    ("my tracking number doesnt work", "support_shipping"),
    ("I want my money back for the broken charger", "support_returns"),
    ("can I return this keyboard", "support_returns"),
    ("how do i reset my password", "account_management"),
    ("how do I change my email", "account_management"),
    ("does the galaxy s24 have wireless charging", "product_inquiry"),
    ("is the ps5 pro in stock", "product_inquiry"),
    ("my headphones won't connect to bluetooth", "technical_support"),
    ("the laptop screen is black after the update", "technical_support"),
    ("my printer is not printing", "technical_support"),
    ("what's the capital of italy", "other"),
    ("write a haiku about autumn", "other"),
]
GIBBERISH = ["qwzx plmk vbnr", "zzzzzz", "blorf zimzam krrrk", "", "   "]


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return train(EXAMPLES, TAXONOMY)


def test_seed_covers_every_intent_with_enough_examples() -> None:
    counts: dict[str, int] = {}
    for _, intent in EXAMPLES:
        counts[intent] = counts.get(intent, 0) + 1
    assert set(counts) == {name for name, _ in TAXONOMY}
    assert min(counts.values()) >= 15
    assert len({text for text, _ in EXAMPLES}) == len(EXAMPLES)


def test_obvious_prompts_classify_right(model: IntentModel) -> None:
    seed_texts = {text.lower() for text, _ in EXAMPLES}
    assert not [p for p, _ in OBVIOUS if p.lower() in seed_texts]
    predictions = model.predict([p for p, _ in OBVIOUS])
    right = [p.label == want for p, (_, want) in zip(predictions, OBVIOUS, strict=True)]
    assert len(OBVIOUS) >= 12
    assert sum(right) >= len(OBVIOUS) - 2, list(
        zip([p for p, _ in OBVIOUS], [p.label for p in predictions], strict=True)
    )


def test_gibberish_and_empty_are_other(model: IntentModel) -> None:
    predictions = model.predict([*GIBBERISH, None, float("nan")])
    assert [p.label for p in predictions] == ["other"] * (len(GIBBERISH) + 2)
    assert predictions[-1].confidence == predictions[-2].confidence == 0.0


def test_predictions_carry_confidence_and_version(model: IntentModel) -> None:
    (prediction,) = model.predict(["where is my package"])
    assert 0.0 < prediction.confidence <= 1.0
    assert prediction.version == model.version
    assert model.version.startswith("offline-") and model.version.count("-") == 2
    assert 0.0 < model.threshold < 1.0
    assert set(model.labels) == {name for name, _ in TAXONOMY}


def test_version_follows_taxonomy_and_examples(model: IntentModel) -> None:
    digest = taxonomy_hash(EXAMPLES, TAXONOMY)
    assert model.version.endswith(digest)
    # Row order is not content.
    assert taxonomy_hash(EXAMPLES[::-1], TAXONOMY[::-1]) == digest
    edited = [(n, d + " and gift cards") if n == "product_inquiry" else (n, d) for n, d in TAXONOMY]
    assert taxonomy_hash(EXAMPLES, edited) != digest
    assert train(EXAMPLES, edited).version != model.version
    more = [*EXAMPLES, ("is the pixel watch 3 compatible with iphone", "product_inquiry")]
    assert taxonomy_hash(more, TAXONOMY) != digest
    assert taxonomy_hash(EXAMPLES, TAXONOMY, other_label="none") != digest


def test_training_is_deterministic(model: IntentModel) -> None:
    again = train(list(reversed(EXAMPLES)), TAXONOMY, seed=0)
    texts = [p for p, _ in OBVIOUS] + GIBBERISH
    assert again.threshold == model.threshold
    assert again.version == model.version
    assert again.predict(texts) == model.predict(texts)


def test_threshold_override(model: IntentModel) -> None:
    texts = [p for p, _ in OBVIOUS]
    strict = train(EXAMPLES, TAXONOMY, threshold=0.999)
    assert strict.threshold == 0.999
    assert {p.label for p in strict.predict(texts)} == {"other"}
    assert strict.version != model.version
    lenient = train(EXAMPLES, TAXONOMY, threshold=0.0)
    probabilities = [p.confidence for p in lenient.predict(texts)]
    # Without a threshold, only the trained `other` class yields `other`.
    labels = [p.label for p in lenient.predict(texts)]
    assert labels.count("other") <= sum(1 for _, want in OBVIOUS if want == "other") + 1
    assert probabilities == [p.confidence for p in model.predict(texts)]


def test_version_is_known_before_training(model: IntentModel) -> None:
    # The batch classifier skips training when every prompt has this version's label.
    assert model_version(EXAMPLES, TAXONOMY) == model.version
    strict = train(EXAMPLES, TAXONOMY, threshold=0.999)
    assert model_version(EXAMPLES, TAXONOMY, threshold=0.999) == strict.version
    assert model_version(EXAMPLES[1:], TAXONOMY) != model.version
    # Row order and spaces around a label do not make a new version, as in train.
    shuffled = [(text, f" {label} ") for text, label in reversed(EXAMPLES)]
    assert model_version(shuffled, TAXONOMY) == model.version


def test_other_label_without_examples_comes_from_the_threshold() -> None:
    in_scope = [(t, i) for t, i in EXAMPLES if i != "other"]
    model = train(in_scope, TAXONOMY, other_label="other")
    assert "other" not in model.labels
    assert model.predict(["qwzx plmk vbnr"])[0].label == "other"
    custom = train(in_scope, other_label="out_of_scope", threshold=0.9)
    assert custom.predict(["tell me about yourself"])[0].label == "out_of_scope"


def test_taxonomy_alone_or_a_handful_of_examples_still_train() -> None:
    bare = train([], TAXONOMY)
    assert bare.threshold == 0.0  # nothing to cross-validate
    assert bare.predict(["I want a refund please"])[0].label == "support_returns"
    tiny = train([("track my order", "support_shipping"), ("refund please", "support_returns")])
    assert tiny.predict(["track the order"])[0].label == "support_shipping"


def test_unknown_example_label_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the taxonomy"):
        train([*EXAMPLES, ("buy a gift card", "gift_cards")], TAXONOMY)


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    """Parse `argv` with the registered subcommand, run it: exit code, JSON printed, stderr."""
    parser = argparse.ArgumentParser()
    classify_eval.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["classify-eval", *argv])
    code = args.run(args)
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if code == 0 else {}, captured.err


KEYS = {
    "accuracy",
    "in_scope_accuracy",
    "oos_recall",
    "prompts_per_second",
    "threshold",
    "train_rows",
    "test_rows",
}


def test_classify_eval_prints_one_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train_csv = _write(tmp_path / "train.csv", EXAMPLES)
    test_csv = _write(tmp_path / "test.csv", OBVIOUS)
    code, metrics, _ = _run(capsys, "--train", str(train_csv), "--test", str(test_csv))
    assert code == 0
    assert set(metrics) >= KEYS
    assert metrics["train_rows"] == len(EXAMPLES)
    assert metrics["test_rows"] == len(OBVIOUS)
    assert metrics["accuracy"] >= 0.8
    assert metrics["prompts_per_second"] > 0
    # `other` rows are scored as out of scope by default.
    assert metrics["oos_recall"] is not None


def test_classify_eval_other_label_protocol(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    in_scope = [(t, i) for t, i in EXAMPLES if i != "other"]
    oos_train = [(t, "oos") for t, i in EXAMPLES if i == "other"]
    train_csv = _write(tmp_path / "train.csv", in_scope + oos_train)
    test_rows = [(p, i) for p, i in OBVIOUS if i != "other"] + [(g, "oos") for g in GIBBERISH[:3]]
    test_csv = _write(tmp_path / "test.csv", test_rows)

    seen: list[list[tuple[str, str]]] = []
    real_train = classify_eval.train

    def spy(rows, *args, **kwargs):
        seen.append(list(rows))
        return real_train(rows, *args, **kwargs)

    monkeypatch.setattr(classify_eval, "train", spy)
    argv = ["--train", str(train_csv), "--test", str(test_csv), "--other-label", "oos"]
    code, metrics, _ = _run(capsys, *argv)
    assert code == 0 and set(metrics) >= KEYS
    assert not [row for row in seen[-1] if row[1] == "oos"]
    assert metrics["train_rows"] == len(in_scope)
    assert metrics["test_rows"] == len(test_rows)
    assert metrics["oos_recall"] == 1.0  # gibberish has no known word: rejected
    assert metrics["in_scope_accuracy"] >= 0.75

    code, kept, _ = _run(capsys, *argv, "--train-other")
    assert code == 0
    assert len([row for row in seen[-1] if row[1] == "oos"]) == len(oos_train)
    assert kept["train_rows"] == len(in_scope) + len(oos_train)

    no_oos = _write(tmp_path / "no_oos.csv", [(p, i) for p, i in OBVIOUS if i != "other"])
    code, metrics, _ = _run(
        capsys, "--train", str(train_csv), "--test", str(no_oos), "--other-label", "oos"
    )
    assert metrics["oos_recall"] is None


def test_classify_eval_reports_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("prompt,intent\nhello,other\n", encoding="utf-8")
    code, _, err = _run(capsys, "--train", str(bad), "--test", str(bad))
    assert code == 2
    assert "missing column" in err
