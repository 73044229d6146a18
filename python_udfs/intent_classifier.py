"""The offline intent classifier: the package's default batch classifier.

It needs no network and no API key, so `intent_classifier: offline` works in
any warehouse that runs Python with scikit-learn (the DuckDB adapter, Snowflake
through its Anaconda channel). It learns from two seeds the user owns: the
intent taxonomy (name and description of each intent) and a file of labelled
example prompts; edit either and the model, and its version string, change.

Model: TF-IDF on word 1-2-grams and on character 2-5-grams within word
boundaries, concatenated, feeding a multinomial logistic regression. Word
n-grams carry the vocabulary of an intent ("refund", "track my order");
character n-grams survive typos, plurals and inflections ("pasword",
"refunded"), which real prompts are full of. The character block weighs twice
the word block: on CLINC150 that rejected out-of-scope prompts better at the
same in-scope accuracy (see `scripts/benchmark_classifier.py`).

Out of scope: a prompt whose top probability is below `IntentModel.threshold`
gets `other_label`. The threshold is derived from in-scope data only, so no
one has to collect "everything else" examples:

    threshold = the `accept_quantile` (default 2 %) quantile of the top
    probability of the training examples that k-fold cross-validation
    (k = 5, fewer when a class has fewer examples) classifies correctly;
    examples labelled `other_label` take no part.

In words: 98 % of the in-scope examples the model gets right when it has not
seen them would still be accepted. The quantile is taken over correct
predictions only because wrong ones are lost whether accepted or not. An
explicit `threshold` argument overrides the rule (0 never rejects). When the
examples contain `other_label` rows, `other` is also a class trained like any
other, and the threshold applies on top of it. Two more cases get
`other_label` whatever the threshold: empty texts (confidence 0), and texts
none of whose words the model has ever seen (keyboard mashing, another
language), whose probabilities only reflect shared letter sequences.

On CLINC150 (train -> val + oos_val, no out-of-scope example in training) the
2 % rule keeps in-scope accuracy at 90.3 % (92.3 % without threshold) and
rejects 82 % of out-of-scope prompts (75 % of oos_train); 1 % gives
91.4 / 73, 3 % gives 89.2 / 82. The value 2 % was chosen on that split, the
only held-out one available, so treat these numbers as validation numbers.

Everything is a pure function of its inputs: the training rows are sorted
before fitting, cross-validation folds come from `seed`, and logistic
regression (lbfgs) is deterministic, so the same seeds give the same labels.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import sklearn
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

# Bump when the features or the rules change, so stored labels become stale.
MODEL_REVISION = 1
DEFAULT_OTHER_LABEL = "other"
DEFAULT_ACCEPT_QUANTILE = 0.02
DEFAULT_C = 30.0
DEFAULT_FOLDS = 5
MIN_TEXTS_FOR_PRUNING = 20
WORD_WEIGHT = 0.5
CHAR_WEIGHT = 1.0

__all__ = [
    "IntentModel",
    "Prediction",
    "cross_validated_top_probabilities",
    "taxonomy_hash",
    "taxonomy_texts",
    "threshold_from_cv",
    "train",
]


@dataclass(frozen=True)
class Prediction:
    """One classified text.

    `confidence` is the model's top class probability, kept even when the label
    fell back to `other_label`, so analysts can see how close a prompt came.
    `version` identifies the model (scikit-learn version and the hash of the
    taxonomy and examples): a stored label whose version differs from the
    current model's is stale and should be classified again.
    """

    label: str
    confidence: float
    version: str


def taxonomy_texts(
    taxonomy: Sequence[tuple[str, str]], *, other_label: str = DEFAULT_OTHER_LABEL
) -> list[tuple[str, str]]:
    """Extra training texts from the taxonomy: `"<name with spaces> <description>"`.

    They give every intent a voice even before anyone writes examples for it,
    and anchor it to the words its owner chose. The `other_label` row is
    skipped: its description defines it by exclusion ("anything that fits none
    of the intents above"), which is no lexical evidence of anything.
    """
    rows = []
    for name, description in taxonomy:
        name = name.strip()
        if not name or name == other_label:
            continue
        text = f"{name.replace('_', ' ')} {(description or '').strip()}".strip()
        rows.append((text, name))
    return rows


def taxonomy_hash(
    examples: Iterable[tuple[str, str]],
    taxonomy: Iterable[tuple[str, str]] | None = None,
    *,
    other_label: str = DEFAULT_OTHER_LABEL,
    threshold: float | None = None,
    accept_quantile: float = DEFAULT_ACCEPT_QUANTILE,
    c: float = DEFAULT_C,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
) -> str:
    """A 12-hex-digit SHA-256 of everything that decides the labels.

    It covers the taxonomy (names and descriptions), the examples (texts and
    labels), the settings of `train` and the revision of this module's
    features, so that changing any of them gives a new model version and the
    batch classifier reclassifies. Rows are cleaned as `train` cleans them and
    sorted: reordering a seed file, or trailing spaces on a label, change
    nothing.
    """
    payload = {
        "revision": MODEL_REVISION,
        "taxonomy": sorted([n, d] for n, d in _clean_taxonomy(taxonomy)),
        "examples": sorted([t, lb] for t, lb in _clean_examples(examples)),
        "other_label": other_label,
        "threshold": None if threshold is None else float(threshold),
        "settings": [float(accept_quantile), float(c), int(folds), int(seed)],
    }
    blob = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def _is_blank(text: object) -> bool:
    """None, NaN (a NULL read through pandas) or whitespace: nothing to learn or classify."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return True
    return not str(text).strip()


def _clean_examples(examples: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Examples as strings, labels stripped, blank texts dropped (they teach nothing)."""
    return [(str(t), str(lb).strip()) for t, lb in examples if not _is_blank(t)]


def _clean_taxonomy(taxonomy: Iterable[tuple[str, str]] | None) -> list[tuple[str, str]]:
    """Taxonomy rows as strings, names stripped, a missing description as empty text."""
    return [(str(n).strip(), "" if d is None else str(d)) for n, d in (taxonomy or ())]


def _pipeline(c: float, min_df: int = 2) -> Pipeline:
    """Features and classifier, unfitted.

    `sublinear_tf` damps repeated words, `strip_accents` folds "café" into
    "cafe", and `min_df=2` on characters drops n-grams seen once, which are
    mostly typos of a single example (kept when training on fewer than
    `MIN_TEXTS_FOR_PRUNING` texts). `class_weight="balanced"` keeps a
    large intent from drowning a small one when examples are uneven.
    """
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode", dtype=np.float32
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    strip_accents="unicode",
                    min_df=min_df,
                    dtype=np.float32,
                ),
            ),
        ],
        transformer_weights={"word": WORD_WEIGHT, "char": CHAR_WEIGHT},
    )
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    return Pipeline([("features", features), ("classifier", classifier)])


def _fit(texts: Sequence[str], labels: Sequence[str], c: float) -> Pipeline:
    """Fit a fresh pipeline; a single class is refused because nothing can be learned."""
    if len(set(labels)) < 2:
        raise ValueError("the classifier needs at least two distinct labels to learn from")
    # Pruning singletons could leave no character n-gram at all on a handful of texts.
    min_df = 2 if len(texts) >= MIN_TEXTS_FOR_PRUNING else 1
    with _one_blas_thread():
        return _pipeline(c, min_df).fit(list(texts), list(labels))


def _one_blas_thread() -> threadpool_limits:
    """Run BLAS on one thread while training (the process setting is restored on exit).

    The matrices here are sparse and the dense parts small: BLAS threads only
    add start-up and contention, which made training on the seeds five times
    slower on a busy two-core machine. Parallelism, where wanted, comes from
    `n_jobs` over cross-validation folds instead. Prediction does not use it:
    its product is a sparse one, and it must stay free of process-wide
    settings to be callable from several threads.
    """
    return threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True)
class IntentModel:
    """A trained classifier; immutable, `predict` may run in several threads at once.

    Build it with `train`. `threshold` is the top probability below which a
    prediction becomes `other_label`; `version` is
    `offline-<scikit-learn version>-<taxonomy_hash>`.
    """

    pipeline: Pipeline
    threshold: float
    other_label: str
    version: str
    labels: tuple[str, ...]

    def predict(self, texts: Sequence[str | None]) -> list[Prediction]:
        """Classify a batch in one vectorised pass (one sparse matrix, one matrix product).

        Empty or missing texts (None, NaN) get `other_label` with confidence 0: there is
        nothing to classify, and an intercept-only guess would be noise.
        """
        results: list[Prediction | None] = [None] * len(texts)
        todo = [i for i, t in enumerate(texts) if not _is_blank(t)]
        for i, text in enumerate(texts):
            if _is_blank(text):
                results[i] = Prediction(self.other_label, 0.0, self.version)
        if todo:
            features = self.pipeline.named_steps["features"].transform(
                [str(texts[i]) for i in todo]
            )
            probabilities = self.pipeline.named_steps["classifier"].predict_proba(features)
            best = probabilities.argmax(axis=1)
            top = probabilities[np.arange(len(todo)), best]
            known = _known_words(features, self._word_columns)
            accepted = (top >= self.threshold) & (known > 0)
            classes = self.pipeline.classes_
            for i, k, p, ok in zip(todo, best, top, accepted, strict=True):
                label = str(classes[k]) if ok else self.other_label
                results[i] = Prediction(label, float(p), self.version)
        return [r for r in results if r is not None]

    @property
    def _word_columns(self) -> int:
        """How many leading feature columns are word n-grams (the first block of the union)."""
        word = self.pipeline.named_steps["features"].transformer_list[0][1]
        return len(word.vocabulary_)

    def predict_labels(self, texts: Sequence[str | None]) -> list[str]:
        """Only the labels, for callers that need nothing else."""
        return [p.label for p in self.predict(texts)]


def _known_words(features: sparse.csr_matrix, word_columns: int) -> np.ndarray:
    """Per row, how many of its word n-grams the model has seen in training.

    The word block comes first in the feature union, so a row's non-zero
    columns below `word_columns` are known words. A prompt with none
    (keyboard mashing, another language) has no evidence for any intent:
    its top probability only reflects shared letter sequences, so it is
    rejected whatever that probability is.
    """
    features = features.tocsr()
    rows = np.repeat(np.arange(features.shape[0]), np.diff(features.indptr))
    return np.bincount(rows[features.indices < word_columns], minlength=features.shape[0])


def cross_validated_top_probabilities(
    examples: Sequence[tuple[str, str]],
    extra: Sequence[tuple[str, str]] = (),
    *,
    c: float = DEFAULT_C,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top probability and correctness of each example, predicted by a model that never saw it.

    Stratified k-fold over `examples` (`other_label` rows included: they are
    a class of the final model too; the caller leaves them out of the
    quantile); `extra` rows (the taxonomy texts) are in every training fold,
    as they will be in the final model. `k` shrinks
    to the smallest class count (at least 2) so small seeds still work.
    Returns two arrays aligned with `examples`: top probability and whether
    the top class was the true label; rows in no test fold (a class with a
    single example, or every class with one) are NaN / False.
    """
    texts = [t for t, _ in examples]
    labels = np.array([lb for _, lb in examples])
    counts = Counter(labels.tolist()).values()
    k = max(2, min(folds, min(counts)))
    top = np.full(len(examples), np.nan)
    correct = np.zeros(len(examples), dtype=bool)
    if max(counts) < k:
        return top, correct  # one example per class: nothing can be held out
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(texts, labels))

    def fold(train_idx: np.ndarray, test_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        fold_texts = [texts[i] for i in train_idx] + [t for t, _ in extra]
        fold_labels = labels[train_idx].tolist() + [lb for _, lb in extra]
        if len(set(fold_labels)) < 2:
            return None
        model = _fit(fold_texts, fold_labels, c)
        with _one_blas_thread():
            probabilities = model.predict_proba([texts[i] for i in test_idx])
        best = probabilities.argmax(axis=1)
        return probabilities[np.arange(len(test_idx)), best], model.classes_[best]

    outcomes = Parallel(n_jobs=n_jobs)(delayed(fold)(tr, te) for tr, te in splits)
    for (_, test_idx), outcome in zip(splits, outcomes, strict=True):
        if outcome is not None:
            top[test_idx] = outcome[0]
            correct[test_idx] = outcome[1] == labels[test_idx]
    return top, correct


def threshold_from_cv(top: np.ndarray, correct: np.ndarray, accept_quantile: float) -> float:
    """The rejection threshold: a low quantile of the CV top probability of correct predictions.

    Returns 0.0 (never reject) when cross-validation got nothing right, which
    only happens with toy data; rejecting everything would be worse.
    """
    accepted = top[correct & ~np.isnan(top)]
    if accepted.size == 0:
        return 0.0
    return float(np.quantile(accepted, accept_quantile))


def train(
    examples: Sequence[tuple[str, str]],
    taxonomy: Sequence[tuple[str, str]] | None = None,
    *,
    other_label: str = DEFAULT_OTHER_LABEL,
    threshold: float | None = None,
    seed: int = 0,
    accept_quantile: float = DEFAULT_ACCEPT_QUANTILE,
    c: float = DEFAULT_C,
    folds: int = DEFAULT_FOLDS,
    n_jobs: int | None = None,
) -> IntentModel:
    """Train on `(text, intent)` examples plus the `(name, description)` taxonomy.

    With a taxonomy, every example label must be one of its names or
    `other_label`; an unknown label raises `ValueError` rather than training
    an intent that downstream models would discard as invalid. Intents of the
    taxonomy without examples are learned from their description alone.

    `threshold=None` derives the threshold by cross-validation (see the module
    docstring); a number skips cross-validation and is used as is. `n_jobs`
    runs the cross-validation folds in parallel (joblib); results do not
    depend on it.
    """
    examples = _clean_examples(examples)
    taxonomy = _clean_taxonomy(taxonomy)
    if taxonomy:
        known = {n for n, _ in taxonomy} | {other_label}
        unknown = sorted({lb for _, lb in examples} - known)
        if unknown:
            raise ValueError(f"example labels not in the taxonomy: {', '.join(unknown)}")
    if not 0.0 <= accept_quantile < 1.0:
        raise ValueError("accept_quantile must be in [0, 1)")
    # Sorted rows make the model independent of the seed files' row order.
    examples.sort()
    extra = sorted(taxonomy_texts(taxonomy, other_label=other_label))
    texts = [t for t, _ in examples] + [t for t, _ in extra]
    labels = [lb for _, lb in examples] + [lb for _, lb in extra]
    pipeline = _fit(texts, labels, c)

    if threshold is None:
        if len({lb for _, lb in examples}) < 2:
            threshold = 0.0
        else:
            top, correct = cross_validated_top_probabilities(
                examples, extra, c=c, folds=folds, seed=seed, n_jobs=n_jobs
            )
            in_scope = np.array([lb != other_label for _, lb in examples])
            threshold = threshold_from_cv(top[in_scope], correct[in_scope], accept_quantile)
        version_threshold = None
    else:
        threshold = float(threshold)
        version_threshold = threshold

    return IntentModel(
        pipeline=pipeline,
        threshold=float(threshold),
        other_label=other_label,
        version=model_version(
            examples,
            taxonomy,
            other_label=other_label,
            threshold=version_threshold,
            seed=seed,
            accept_quantile=accept_quantile,
            c=c,
            folds=folds,
        ),
        labels=tuple(str(label) for label in pipeline.classes_),
    )


def model_version(
    examples: Iterable[tuple[str, str]],
    taxonomy: Iterable[tuple[str, str]] | None = None,
    *,
    other_label: str = DEFAULT_OTHER_LABEL,
    threshold: float | None = None,
    seed: int = 0,
    accept_quantile: float = DEFAULT_ACCEPT_QUANTILE,
    c: float = DEFAULT_C,
    folds: int = DEFAULT_FOLDS,
) -> str:
    """The version `train` gives a model of these inputs, without training it.

    The batch classifier asks it first: when every prompt already carries
    this version's label, nothing is trained at all.
    """
    digest = taxonomy_hash(
        examples,
        taxonomy,
        other_label=other_label,
        threshold=None if threshold is None else float(threshold),
        accept_quantile=accept_quantile,
        c=c,
        folds=folds,
        seed=seed,
    )
    return f"offline-{sklearn.__version__}-{digest}"
