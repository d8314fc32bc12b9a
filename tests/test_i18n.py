"""lstmcourse.i18n: the package's words in Chinese, the CJK font, and figures redrawn in Chinese."""
import base64
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lstmcourse import i18n  # noqa: E402
from lstmcourse.experiments import spread  # noqa: E402
from lstmcourse.plots import plot_histories  # noqa: E402


@pytest.fixture(autouse=True)
def english_and_closed(monkeypatch):
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
    i18n.set_language("en")
    yield
    i18n._language = None
    plt.close("all")


def test_language_from_env_and_setter(monkeypatch):
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "zh_CN.UTF-8")
    i18n._language = None
    assert i18n.language() == "zh_CN" and i18n.gettext("forget") == "遗忘"
    i18n.set_language("en")
    assert i18n.gettext("forget") == "forget"
    with i18n.using("zh-CN"):
        assert i18n.language() == "zh_CN"
    assert i18n.language() == "en"


def test_bad_language_is_named():
    with pytest.raises(ValueError, match=r"Received: language='fr'"):
        i18n.set_language("fr")
    with pytest.raises(TypeError, match=r"Received: language=3"):
        i18n.set_language(3)
    with pytest.raises(TypeError, match=r"Received: message=None"):
        i18n.gettext(None)


def test_messages_in_chinese_and_english():
    assert spread([0.2, 0.1, 0.4]) == "0.200 (0.100–0.400, 3 seeds)"
    with i18n.using("zh_CN"):
        assert spread([0.2, 0.1, 0.4]) == "0.200（0.100–0.400，3 个种子）"
        assert i18n.gettext("not in the catalogue") == "not in the catalogue"
        assert i18n.gettext("") == "", "the catalogue header is never a message"


def test_translate_figure_swaps_known_text_and_restores_it():
    ax = plot_histories({"LSTM": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]}}, baseline=1.0)
    ax.set_title(i18n.tr("{name} validation", name="GRU"))
    fig = ax.figure
    english = sorted(t.get_text() for t in i18n._figure_texts(fig))
    texts, restore = i18n.translate_figure(fig)
    assert "GRU 验证集" in texts and "轮" in texts and "LSTM（验证集）" in texts and "随机猜测水平" in texts
    assert not [s for s in texts if i18n.english_words(s)]
    restore()
    assert sorted(t.get_text() for t in i18n._figure_texts(fig)) == english


def test_figure_twin_is_a_png_with_the_texts_it_shows():
    from lstmcourse import diagrams

    fig = diagrams.gru_cell()
    assert fig.get_suptitle().startswith("The GRU cell")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        twin = i18n.figure_twin(fig)
    assert not [str(w.message) for w in caught]
    assert base64.b64decode(twin["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "重置" in twin["text"] and "更新" in twin["text"]
    assert fig.get_suptitle().startswith("The GRU cell"), "the English figure is untouched"


def test_install_figure_twins_needs_the_env_and_ipython(monkeypatch):
    monkeypatch.delenv(i18n.ALSO_DRAW_ENV, raising=False)
    assert i18n.install_figure_twins() is False
    monkeypatch.setenv(i18n.ALSO_DRAW_ENV, "klingon")
    with pytest.raises(ValueError, match=r"LSTMCOURSE_ALSO_DRAW='klingon'"):
        i18n.install_figure_twins()
    monkeypatch.setenv(i18n.ALSO_DRAW_ENV, "zh_CN")
    assert i18n.install_figure_twins() is False  # no IPython shell here


def test_font_is_registered_and_draws_chinese_without_missing_glyphs(tmp_path, caplog):
    from matplotlib import font_manager

    assert i18n.register_font()
    assert i18n.FONT_FAMILY in {f.name for f in font_manager.fontManager.ttflist}
    fig, ax = plt.subplots()
    ax.set_title("遗忘门与更新门", fontfamily=i18n.cjk_family("DejaVu Sans"), fontweight="bold")
    ax.set_xlabel("读 $x_1 \\ldots x_T$", fontfamily=i18n.cjk_family("DejaVu Sans"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "zh.png")
    assert not [str(w.message) for w in caught], "e.g. 'Glyph ... missing from font'"
    assert "does not have a glyph" not in caplog.text and "weight" not in caplog.text
