"""`ai-analytics classify-eval`: measure the offline classifier on labelled CSVs.

It answers "how good is the default classifier on my prompts?" with one JSON
object a script can read, using the same `train` the batch classifier uses.

The threshold protocol of out-of-scope benchmarks (CLINC150): with
`--other-label L`, rows labelled L are removed from the training file, so the
model never sees an out-of-scope example and must reject them through its
threshold alone; `--train-other` keeps them, and L is then also a class.
Metrics:

- `accuracy`: share of all test rows whose predicted label equals the label;
- `in_scope_accuracy`: the same over rows whose label is not L (a rejected
  in-scope row counts as wrong);
- `oos_recall`: share of rows labelled L that are predicted L (null when the
  test file has none);
- `prompts_per_second`: test rows divided by the wall time of one batched
  `predict` over them (training excluded).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from python_udfs.intent_classifier import DEFAULT_OTHER_LABEL, IntentModel, train

__all__ = ["evaluate", "read_labelled_csv", "register", "run", "score"]


def read_labelled_csv(path: Path) -> list[tuple[str, str]]:
    """`(text, label)` rows of a CSV with a `text,label` header; blank texts are skipped."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "label"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        return [
            (row["text"], row["label"].strip())
            for row in reader
            if row["text"] and row["text"].strip()
        ]


def evaluate(
    train_rows: Sequence[tuple[str, str]],
    test_rows: Sequence[tuple[str, str]],
    *,
    other_label: str | None = None,
    train_other: bool = False,
    threshold: float | None = None,
    seed: int = 0,
    n_jobs: int | None = None,
) -> dict[str, Any]:
    """Train on `train_rows`, predict `test_rows`, return the metrics (see the module docstring).

    Without `other_label` the model's fallback label is the package default
    `other`, and `other` rows (if any) are trained and scored like that label.
    """
    label = other_label if other_label is not None else DEFAULT_OTHER_LABEL
    drop = other_label is not None and not train_other
    training = [(t, lb) for t, lb in train_rows if not (drop and lb == label)]
    model = train(training, other_label=label, threshold=threshold, seed=seed, n_jobs=n_jobs)
    return {**score(model, test_rows), "train_rows": len(training)}


def score(model: IntentModel, test_rows: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Metrics of a trained model on `(text, label)` rows; `model.other_label` is out of scope."""
    label = model.other_label
    texts = [t for t, _ in test_rows]
    started = time.perf_counter()
    predictions = model.predict(texts)
    elapsed = time.perf_counter() - started

    truth = [lb for _, lb in test_rows]
    hits = [p.label == y for p, y in zip(predictions, truth, strict=True)]
    in_scope = [h for h, y in zip(hits, truth, strict=True) if y != label]
    oos = [h for h, y in zip(hits, truth, strict=True) if y == label]
    return {
        "accuracy": _share(hits),
        "in_scope_accuracy": _share(in_scope),
        "oos_recall": _share(oos),
        "prompts_per_second": round(len(texts) / elapsed, 1) if elapsed > 0 else None,
        "threshold": round(model.threshold, 6),
        "test_rows": len(test_rows),
        "other_label": label,
        "version": model.version,
    }


def _share(flags: Sequence[bool]) -> float | None:
    """Share of true flags, rounded; None for an empty list (a metric with no rows is undefined)."""
    return round(sum(flags) / len(flags), 6) if flags else None


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `classify-eval` subcommand to the `ai-analytics` parser."""
    parser = commands.add_parser(
        "classify-eval",
        help="train the offline intent classifier on a CSV and score it on another",
        description=(
            "Train the offline classifier on TRAIN (text,label), predict TEST (text,label) "
            "and print one JSON object: accuracy, in_scope_accuracy, oos_recall, "
            "prompts_per_second, threshold, train_rows, test_rows."
        ),
    )
    parser.add_argument("--train", type=Path, required=True, help="training CSV (text,label)")
    parser.add_argument("--test", type=Path, required=True, help="test CSV (text,label)")
    parser.add_argument(
        "--other-label",
        default=None,
        help=(
            "label of out-of-scope rows (e.g. oos); its training rows are dropped so the "
            "threshold alone must reject them"
        ),
    )
    parser.add_argument(
        "--train-other",
        action="store_true",
        help="keep the --other-label rows in training, as a class of their own",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="top-probability threshold instead of the cross-validated one (0 never rejects)",
    )
    parser.add_argument("--seed", type=int, default=0, help="cross-validation seed (default: 0)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="parallel cross-validation folds (default: 1)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `classify-eval`: print the metrics as one JSON object; 2 on unreadable input."""
    try:
        train_rows = read_labelled_csv(args.train)
        test_rows = read_labelled_csv(args.test)
        metrics = evaluate(
            train_rows,
            test_rows,
            other_label=getattr(args, "other_label", None),
            train_other=getattr(args, "train_other", False),
            threshold=getattr(args, "threshold", None),
            seed=getattr(args, "seed", 0),
            n_jobs=getattr(args, "jobs", None),
        )
    except (OSError, ValueError) as err:
        print(f"classify-eval: {err}", file=sys.stderr)
        return 2
    print(json.dumps(metrics, sort_keys=True))
    return 0
