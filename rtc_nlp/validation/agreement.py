"""Agreement between two labelings of the same answers: partition scores and coder scores.

Pure functions on two label arrays of equal length (any hashable labels). They are the
building blocks of :func:`rtc_nlp.compare_with_manual`, which adds intervals and tests.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.special import gammaln

__all__ = [
    "cohen_kappa",
    "contingency",
    "hungarian_matching",
    "krippendorff_alpha_nominal",
    "partition_scores",
    "table_scores",
]


def contingency(pred: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts of answers per (predicted label, true label).

    Returns
    -------
    table : ndarray of shape (n_pred_labels, n_true_labels)
    pred_labels, true_labels : ndarray
        The sorted distinct labels that index the rows and columns.
    """
    pred_labels, p = np.unique(np.asarray(pred), return_inverse=True)
    true_labels, t = np.unique(np.asarray(truth), return_inverse=True)
    table = np.zeros((len(pred_labels), len(true_labels)), dtype=np.int64)
    np.add.at(table, (p, t), 1)
    return table, pred_labels, true_labels


def hungarian_matching(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the one-to-one matching that shares the most answers."""
    rows, cols = linear_sum_assignment(-table)
    return rows, cols


def kappa_from_matrix(matrix: np.ndarray) -> float:
    """Cohen's kappa from a square table of (coder A label, coder B label) counts."""
    n = matrix.sum()
    if n == 0:
        return float("nan")
    observed = np.trace(matrix) / n
    expected = float(matrix.sum(axis=1) @ matrix.sum(axis=0)) / n**2
    if expected == 1.0:  # both coders used one and the same label throughout
        return 1.0 if observed == 1.0 else float("nan")
    return float((observed - expected) / (1 - expected))


def alpha_from_matrix(matrix: np.ndarray) -> float:
    """Krippendorff's nominal alpha for two coders from their square table of counts.

    The coincidence matrix of two coders with no missing values is the table plus its
    transpose (each unit gives both ordered pairs of its two values; Krippendorff 2011,
    "Computing Krippendorff's alpha-reliability"): ``alpha = 1 - (n - 1) * D_o / D_e``.
    """
    coincidence = matrix + matrix.T
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    if n == 0:
        return float("nan")
    disagree_observed = n - np.trace(coincidence)
    disagree_expected = (n**2 - (totals**2).sum()) / (n - 1)
    if disagree_expected == 0:  # a single value throughout: no variation to agree on
        return 1.0 if disagree_observed == 0 else float("nan")
    return float(1 - disagree_observed / disagree_expected)


def _square(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    labels, codes = np.unique(np.concatenate([np.asarray(a), np.asarray(b)]), return_inverse=True)
    matrix = np.zeros((len(labels), len(labels)))
    np.add.at(matrix, (codes[: len(a)], codes[len(a) :]), 1)
    return matrix


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa between two coders' nominal labels (1 = perfect, 0 = chance level)."""
    return kappa_from_matrix(_square(a, b))


def krippendorff_alpha_nominal(a: np.ndarray, b: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) for two coders, every answer coded by both."""
    return alpha_from_matrix(_square(a, b))


def _entropy(counts: np.ndarray) -> float:
    counts = counts[counts > 0].astype(float)
    share = counts / counts.sum()
    return float(-(share * np.log(share)).sum())


def _mutual_information(table: np.ndarray) -> float:
    n = table.sum()
    rows, cols = np.nonzero(table)
    nij = table[rows, cols].astype(float)
    a, b = table.sum(axis=1).astype(float), table.sum(axis=0).astype(float)
    return float((nij / n * np.log(n * nij / (a[rows] * b[cols]))).sum())


def _expected_mutual_information(table: np.ndarray) -> float:
    """E[MI] under the hypergeometric model of random labelings with these margins
    (Vinh, Epps & Bailey 2010), vectorised over the cells of the table."""
    n = int(table.sum())
    a, b = table.sum(axis=1), table.sum(axis=0)
    ai, bj = np.meshgrid(a, b, indexing="ij")
    ai, bj = ai.ravel().astype(np.int64), bj.ravel().astype(np.int64)
    start = np.maximum(1, ai + bj - n)
    stop = np.minimum(ai, bj)
    # Terms beyond 12 standard deviations of the hypergeometric mean weigh less than 1e-30:
    # skipping them keeps large tables (30,000 answers) fast without changing the result.
    mean = ai * bj / n
    sd = np.sqrt(ai * bj * (n - ai) * (n - bj) / (n**2 * max(n - 1, 1)))
    start = np.maximum(start, np.floor(mean - 12 * sd - 1).astype(np.int64))
    stop = np.minimum(stop, np.ceil(mean + 12 * sd + 1).astype(np.int64))
    lengths = np.maximum(stop - start + 1, 0)
    if lengths.sum() == 0:
        return 0.0
    cell = np.repeat(np.arange(len(ai)), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    nij = (start[cell] + offset).astype(float)
    x, y = ai[cell].astype(float), bj[cell].astype(float)
    log_p = (
        gammaln(x + 1)
        + gammaln(y + 1)
        + gammaln(n - x + 1)
        + gammaln(n - y + 1)
        - gammaln(n + 1)
        - gammaln(nij + 1)
        - gammaln(x - nij + 1)
        - gammaln(y - nij + 1)
        - gammaln(n - x - y + nij + 1)
    )
    return float((nij / n * np.log(n * nij / (x * y)) * np.exp(log_p)).sum())


def _pairs(values: np.ndarray) -> float:
    values = values.astype(float)
    return float((values * (values - 1) / 2).sum())


def partition_scores(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Every partition and coder agreement figure between predicted themes and manual codes.

    See :func:`table_scores`, which computes them from the contingency table.
    """
    return table_scores(contingency(pred, truth)[0])


def table_scores(table: np.ndarray, *, with_ami: bool = True) -> dict[str, float]:
    """Every agreement figure from a contingency table (themes × manual codes).

    All come from the table alone (same definitions as scikit-learn's ARI, AMI and NMI with
    arithmetic mean, which the tests check) because resampling recomputes them thousands of
    times. Accuracy, kappa and alpha read each theme as the manual code it is matched to
    one-to-one (Hungarian); themes left without a partner count as disagreements.
    ``with_ami=False`` skips AMI (NaN), the one figure whose cost grows with the answers.
    """
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = int(table.sum())
    rows, cols = hungarian_matching(table)
    n_codes = table.shape[1]
    partner = np.full(table.shape[0], n_codes)  # n_codes = "no manual partner"
    partner[rows] = cols
    matched = np.zeros((n_codes + 1, n_codes + 1))
    np.add.at(matched, partner, np.pad(table, ((0, 0), (0, 1))).astype(float))

    h_pred, h_true = _entropy(table.sum(axis=1)), _entropy(table.sum(axis=0))
    mi = _mutual_information(table)
    # Conventions for a single cluster on either side follow scikit-learn.
    homogeneity = 1.0 if h_true == 0 else mi / h_true
    completeness = 1.0 if h_pred == 0 else mi / h_pred
    v_measure = (
        0.0 if homogeneity + completeness == 0 else 2 * homogeneity * completeness / (homogeneity + completeness)
    )
    if table.shape[0] == table.shape[1] == 1 or (table.shape[0] == table.shape[1] == n):
        nmi = ami = 1.0
    else:
        mean_h = (h_pred + h_true) / 2
        nmi = mi / mean_h if mean_h > 0 else 1.0
        emi = _expected_mutual_information(table) if with_ami else float("nan")
        denominator = mean_h - emi
        denominator = (
            min(denominator, -np.finfo(float).eps) if denominator < 0 else max(denominator, np.finfo(float).eps)
        )
        ami = (mi - emi) / denominator
    sum_cells = _pairs(table.ravel())
    sum_a, sum_b = _pairs(table.sum(axis=1)), _pairs(table.sum(axis=0))
    expected = sum_a * sum_b / (n * (n - 1) / 2) if n > 1 else 0.0
    maximum = (sum_a + sum_b) / 2
    ari = 1.0 if maximum == expected else (sum_cells - expected) / (maximum - expected)
    return {
        "accuracy": float(table[rows, cols].sum() / n),
        "cohen_kappa": kappa_from_matrix(matched),
        "krippendorff_alpha": alpha_from_matrix(matched),
        "ari": float(ari),
        "ami": float(ami),
        "nmi": float(nmi),
        "homogeneity": float(homogeneity),
        "completeness": float(completeness),
        "v_measure": float(v_measure),
        # Purity: a theme that merges two codes loses it; inverse purity: a split code loses it.
        "purity": float(table.max(axis=1).sum() / n),
        "inverse_purity": float(table.max(axis=0).sum() / n),
    }
