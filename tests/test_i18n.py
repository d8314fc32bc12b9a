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
    assert "GRU 验证集" in texts and "轮数" in texts and "LSTM（验证集）" in texts and "随机猜测水平" in texts
    assert not [s for s in texts if i18n.english_words(s)]
    restore()
    assert sorted(t.get_text() for t in i18n._figure_texts(fig)) == english


def test_tick_labels_given_as_strings_are_drawn_translated():
    """set_xticks(ticks, labels) (Matplotlib 3.9+: a FuncFormatter over a dict), set_xticklabels
    (FixedFormatter) and a categorical axis (StrCategoryFormatter): the twin shows, and records, the
    Chinese labels as drawn; the English figure gets its labels back."""
    import matplotlib.pyplot as plt

    fig, (a, b, c) = plt.subplots(1, 3)
    a.set_xticks([0, 1], ["Chinese", "Polish"])
    b.bar(["Chinese", "Polish"], [1, 2])
    c.plot([0, 1], [0, 1])
    c.xaxis.set_major_locator(__import__("matplotlib.ticker", fromlist=["FixedLocator"]).FixedLocator([0, 1]))
    c.set_xticklabels(["Chinese", "Polish"])
    twin = i18n.figure_twin(fig)
    assert twin["text"].count("汉语") == 3 and twin["text"].count("波兰语") == 3, twin["text"]
    assert "Chinese" not in twin["text"]
    fig.canvas.draw()
    for ax in (a, b, c):
        assert [t.get_text() for t in ax.get_xticklabels()] == ["Chinese", "Polish"]
        assert [t.get_fontfamily() for t in ax.get_xticklabels()] == [["sans-serif"]] * 2, "its font back too"
    plt.close(fig)


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


# ---------------------------------------------------------------------------------------
# The lab checks (lstmcourse/grading/) answer in the learner's language
# ---------------------------------------------------------------------------------------

def _step_without_bias(x_t, h_prev, params):  # a known wrong answer: the bias b is missing
    import numpy as np

    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"])


def _right_step(x_t, h_prev, params):
    import numpy as np

    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"])


def test_a_wrong_answer_gets_the_message_in_the_labs_language(capsys):
    from lstmcourse import checks

    with pytest.raises(AssertionError) as english:
        checks.check_rnn_step(_step_without_bias)
    assert str(english.value) == "rnn_step: the result is wrong: the bias b is missing: a = x·W + h·U + b."
    with i18n.using("zh_CN"), pytest.raises(AssertionError) as chinese:
        checks.check_rnn_step(_step_without_bias)
    assert str(chinese.value) == "rnn_step：结果不对：缺少偏置 b：a = x·W + h·U + b。"
    checks.check_rnn_step(_right_step)
    with i18n.using("zh_CN"):
        checks.check_rnn_step(_right_step)
    assert capsys.readouterr().out.splitlines() == ["✔ rnn_step: correct (output shape (2, 4)).",
                                                    "✔ rnn_step：正确（输出形状 (2, 4)）。"]


def test_a_stub_and_a_catalogue_entry_with_fields_speak_chinese():
    from lstmcourse import checks

    def stub(x_t, h_prev, params):
        raise NotImplementedError()

    with i18n.using("zh_CN"), pytest.raises(NotImplementedError, match="rnn_step 还没有写"):
        checks.check_rnn_step(stub)

    def gru_order_rzh(x_t, h_prev, p):  # the gates read in the order r, z, h: an entry built from a pattern
        import numpy as np

        x_r, x_z, x_h = np.split(x_t @ p["kernel"] + p["bias"][0], 3, axis=1)
        m_r, m_z, m_h = np.split(h_prev @ p["recurrent_kernel"] + p["bias"][1], 3, axis=1)
        z, r = 1 / (1 + np.exp(-(x_z + m_z))), 1 / (1 + np.exp(-(x_r + m_r)))
        return z * h_prev + (1 - z) * np.tanh(x_h + r * m_h)

    with i18n.using("zh_CN"), pytest.raises(AssertionError, match=r"门的顺序是 r, z, h；Keras 的顺序是 z, r, h。"):
        checks.check_gru_step(gru_order_rzh)
    with pytest.raises(AssertionError, match=r"the gates are in the order r, z, h; Keras's order is z, r, h\."):
        checks.check_gru_step(gru_order_rzh)


def test_the_graders_fresh_copy_speaks_the_notebooks_language():
    """The hidden tests grade with a fresh copy of the package (sandbox.fresh): it follows the
    notebook's language; only the words change, never the verdict."""
    from lstmcourse.grading import sandbox

    with i18n.using("zh_CN"):
        fresh = sandbox.fresh()
        with pytest.raises(AssertionError, match="缺少偏置 b"):
            fresh.check_rnn_step(_step_without_bias, hidden=True)
    with pytest.raises(AssertionError, match="the bias b is missing"):
        sandbox.fresh().check_rnn_step(_step_without_bias, hidden=True)


# ---------------------------------------------------------------------------------------
# Labs 07/08 (the variant labs) and the crash reader answer in the learner's language too
# ---------------------------------------------------------------------------------------

def _softmax_rows(z):
    import numpy as np

    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _logits_times_t(logits, temperature):  # lab 07, task 1: multiplies by T instead of dividing
    import numpy as np

    if temperature == 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, -1)]
    return _softmax_rows(logits * temperature)


def _scores_without_tanh(q, v, p):  # lab 08, task 1: the additive score without its tanh
    return ((q @ p["query_kernel"])[:, None, :] + v @ p["value_kernel"] + p["bias"]) @ p["score_kernel"]


def _concatenate_on_axis_0(model, symbol, states, values, mask):  # lab 08, task 5: crashes in np.concatenate
    import numpy as np

    out, (h, c) = model.cell(model.embed(symbol), states)
    ctx, a = model.attention(out, values, mask)
    return model.head(np.concatenate([out, ctx], 0)), [h, c], a


def _step_with_column_bias(x_t, h_prev, params):  # labs 01-05's crash reader: b[:, None] does not broadcast
    import numpy as np

    return np.tanh(x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"][:, None])


def _messages(check, *args, **kwargs):
    """The failure message of ``check(*args, **kwargs)`` in English and in Chinese."""
    out = []
    for language in ("en", "zh_CN"):
        with i18n.using(language), pytest.raises(AssertionError) as err:
            check(*args, **kwargs)
        out.append(str(err.value))
    return out


def test_lab07_and_lab08_checks_answer_in_the_labs_language(capsys):
    from lstmcourse import lab07_checks, lab08_checks

    english, chinese = _messages(lab07_checks.check_temperature, _logits_times_t, variant=0)
    assert english == ("temperature_probabilities: the logits are multiplied by the temperature; divide them: "
                       "softmax(logits / T).")
    assert chinese == "temperature_probabilities：logits 乘上了温度；应当除以温度：softmax(logits / T)。"
    english, chinese = _messages(lab08_checks.check_scores, _scores_without_tanh, variant=0)
    assert english == "additive_scores: tanh is missing: e_j = w·tanh(W_q q + W_v v_j + b)."
    assert chinese == "additive_scores：缺少 tanh：e_j = w·tanh(W_q q + W_v v_j + b)。"
    # an answer copied from another variant is named as such, in both languages
    copied = lab07_checks._baselines(7)
    english, chinese = _messages(lab07_checks.check_baselines, *copied, variant=0)
    assert english.startswith("unigram_bits, bigram_bits: this answer is variant 7's, not yours (variant 0)")
    assert chinese.startswith("unigram_bits, bigram_bits：这个答案属于变体 7，不是你的（变体 0）")
    # a right answer passes in both languages, with its ✔ line in each
    right = lab07_checks._baselines(0)
    lab07_checks.check_baselines(*right, variant=0)
    with i18n.using("zh_CN"):
        lab07_checks.check_baselines(*right, variant=0)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"✔ unigram_bits, bigram_bits: correct (unigram {right[0]:.3f}, bigram {right[1]:.3f} bits per " \
                       "character on the test names)."
    assert lines[1] == (f"✔ unigram_bits, bigram_bits：正确（在测试集的名字上，一元语法为每字符 {right[0]:.3f} 比特，"
                        f"二元语法为每字符 {right[1]:.3f} 比特）。")


def test_the_crash_reader_speaks_the_labs_language():
    """A crash is read in the learner's language (labs 01-05 through harness._call, labs 07/08 through
    variant_harness._call); the code in the sentence is the same in both."""
    from lstmcourse import checks, lab08_checks

    english, chinese = _messages(checks.check_rnn_step, _step_with_column_bias)
    assert ("and `params['bias'][:, None]` (shape (4, 1)) do not broadcast together. Likely mistake: "
            "`params['bias'][:, None]` has an extra axis of size 1; as a 1-D array of shape (4,) it would") in english
    assert ("与 `params['bias'][:, None]`（形状 (4, 1)）无法一起广播。可能的错误："
            "`params['bias'][:, None]` 多了一个大小为 1 的轴；去掉它、成为形状为 (4,) 的 1 维数组，就能广播") in chinese
    assert "In `(x_t @ params['kernel'] + h_prev @ params['recurrent_kernel']) + params['bias'][:, None]`" in english
    assert "在 `(x_t @ params['kernel'] + h_prev @ params['recurrent_kernel']) + params['bias'][:, None]` 中" in chinese
    english, chinese = _messages(lab08_checks.check_decoder_step, _concatenate_on_axis_0, variant=0)
    assert english.startswith("decoder_step: your function raised ValueError: ")
    assert "np.concatenate on axis 0 of `out` (4, 5), `ctx` (4, 7). Likely mistake: they agree on every axis" in english
    assert chinese.startswith("decoder_step：你的函数抛出了 ValueError: ")
    assert "沿轴 0 对 `out` (4, 5), `ctx` (4, 7) 调用 np.concatenate。可能的错误：它们除最后一个轴以外各轴都一致" in chinese


def test_the_labs_07_08_graders_fresh_copy_speaks_the_notebooks_language():
    from lstmcourse.grading import sandbox

    with i18n.using("zh_CN"):
        with pytest.raises(AssertionError, match="logits 乘上了温度"):
            sandbox.fresh("lab07").check_temperature(_logits_times_t, hidden=True, variant=0)
    with pytest.raises(AssertionError, match="the logits are multiplied by the temperature"):
        sandbox.fresh("lab07").check_temperature(_logits_times_t, hidden=True, variant=0)


def test_every_likely_mistake_pattern_says_it_in_chinese_too():
    """harness._call adds the generic hint unless the crash reader's sentence contains gettext("Likely
    mistake:"): every translated pattern with a guess must contain that phrase's translation."""
    read_po = pytest.importorskip("babel.messages.pofile", reason="Babel is repository tooling").read_po

    with open(i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "lstmcourse.po", "rb") as f:
        catalogue = read_po(f)
    marker = i18n.gettext("Likely mistake:", "zh_CN")
    assert marker != "Likely mistake:"
    patterns = [m for m in catalogue if m.id and "Likely mistake:" in m.id and m.id != "Likely mistake:"]
    assert len(patterns) >= 3 and all(marker in m.string for m in patterns)
