"""scikit-learn's estimator contract: parameters from __init__, clone, and no step fitted in place."""

from __future__ import annotations

import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from rtc_nlp import (
    Codebook,
    CodebookCoder,
    CommunityClusterer,
    E5Encoder,
    LexicalEmbedder,
    NestedWard,
    SentenceTransformerEmbedder,
    SilhouetteAgglomerative,
    ThemeModel,
    UniversalSentenceEncoder,
)

ESTIMATORS = [
    ThemeModel(n_themes=3, merge_similarity=None, random_state=4),
    CommunityClusterer(n_neighbors=8, resolutions=(1.0,), random_state=2),
    SilhouetteAgglomerative(max_clusters=5),
    NestedWard(min_nets=4, max_nets=9),
    LexicalEmbedder(n_components=7, min_df=1),
    UniversalSentenceEncoder(threads=1, max_chars=300),
    E5Encoder(prefix="passage", center=False),
    SentenceTransformerEmbedder("some/model", batch_size=8),
    CodebookCoder(Codebook.from_records([{"label": "Privacy", "keywords": ["dati"]}]), "lexical", max_codes=1),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_clone_gives_an_unfitted_copy_with_the_same_parameters(estimator):
    copy = clone(estimator)
    assert type(copy) is type(estimator) and copy is not estimator
    assert copy.get_params(deep=False) == estimator.get_params(deep=False)
    # set_params round-trips every constructor parameter.
    assert copy.set_params(**estimator.get_params(deep=False)).get_params(deep=False) == estimator.get_params(
        deep=False
    )


def test_fit_leaves_the_users_steps_unfitted(survey):
    embedder, clusterer = LexicalEmbedder(n_components=5), CommunityClusterer(n_runs=2, random_state=0)
    model = ThemeModel(embedder=embedder, clusterer=clusterer, cache_dir=False, verbose=False).fit(survey)
    assert hasattr(model.embedder_, "components_") and model.embedder_ is not embedder
    assert not hasattr(embedder, "components_") and not hasattr(clusterer, "labels_")
    # The same step objects give the same themes again: nothing leaked from the first fit.
    again = ThemeModel(embedder=embedder, clusterer=clusterer, cache_dir=False, verbose=False).fit(survey)
    assert again.assignments_["theme_id"].tolist() == model.assignments_["theme_id"].tolist()


def test_the_coder_leaves_the_users_embedder_unfitted(survey):
    book = Codebook.from_records(
        [
            {"label": "Privacy", "keywords": ["dati", "privacy"]},
            {"label": "Formazione", "keywords": ["corsi", "formazione"]},
        ]
    )
    embedder = LexicalEmbedder(n_components=5)
    coder = CodebookCoder(book, embedder).fit(survey)
    assert hasattr(coder.embedder_, "components_") and not hasattr(embedder, "components_")


@pytest.mark.parametrize(
    "use",
    [
        lambda: ThemeModel().transform(["a"]),
        lambda: LexicalEmbedder().transform(["a"]),
        lambda: CodebookCoder(Codebook.from_records([{"label": "Privacy", "keywords": ["dati"]}])).code(
            ["dati personali"]
        ),
        lambda: Codebook.from_model(ThemeModel()),
    ],
    ids=["ThemeModel.transform", "LexicalEmbedder.transform", "CodebookCoder.code", "Codebook.from_model"],
)
def test_using_an_unfitted_step_is_a_not_fitted_error(use):
    """One error for every step used before fit, never a silent fit (the coder used to fit
    itself inside code())."""
    with pytest.raises(NotFittedError, match="is not fitted yet: call fit first"):
        use()


@parametrize_with_checks([SilhouetteAgglomerative(), NestedWard(), CommunityClusterer(n_runs=2)])
def test_the_clusterers_pass_scikit_learns_estimator_checks(estimator, check):
    check(estimator)
