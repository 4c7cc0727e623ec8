"""The estimator contract every fitted step keeps: unfitted copies of the user's steps, and one
"not fitted" error.

Steps follow scikit-learn's conventions (parameters stored by ``__init__``, fitted attributes
ending in ``_``), so :func:`sklearn.base.clone` copies them and a model never fits the user's own
object in place; using a step before ``fit`` raises :class:`sklearn.exceptions.NotFittedError`.
"""

from __future__ import annotations

from typing import Any

from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["NotFittedError", "check_fitted", "fresh"]


def fresh(step: Any) -> Any:
    """An unfitted copy of a step that follows scikit-learn's conventions, else the step itself
    (a name such as ``"auto"``, or an object without ``get_params``)."""
    return clone(step) if hasattr(step, "get_params") and not isinstance(step, str) else step


def check_fitted(estimator: Any, attribute: str) -> None:
    """Raise :class:`NotFittedError` naming the class unless ``estimator`` has ``attribute``."""
    check_is_fitted(estimator, attribute, msg=f"this {type(estimator).__name__} is not fitted yet: call fit first")
