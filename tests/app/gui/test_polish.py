"""Small things a person notices: the status bar ends messages at a word, the verdict says when it is
stale, Convert is only offered for DefaultAzureCredential, and messages carry no Python class names."""

from __future__ import annotations

import html

from PySide6.QtGui import QFont, QFontMetrics

from app.gui.main_window import first_sentence, plain_error
from app.gui.status_bar import ELLIPSIS, elide_words


def test_a_long_status_message_ends_at_a_whole_word_with_an_ellipsis(qtbot):
    metrics = QFontMetrics(QFont())
    text = "Run #3 finished: DefaultAzureCredential uses EnvironmentCredential, as app 0c9a51f2"
    width = metrics.horizontalAdvance(text) // 2
    short = elide_words(text, metrics, width)
    assert short.endswith(ELLIPSIS) and metrics.horizontalAdvance(short) <= width
    assert text.startswith(short[:-1]) and text[len(short) - 1] == " "  # cut between words
    assert elide_words("fits", metrics, 500) == "fits"


def test_the_status_bar_keeps_the_whole_message_in_its_tooltip(make_window):
    window = make_window()
    window.resize(900, 600)
    message = "Run #1 finished: " + "a rather long explanation of what happened " * 6
    window.statusBar().showMessage(message, 5000)
    assert window.statusBar().toolTip() == message
    shown = window.statusBar().currentMessage()
    assert shown == message or (shown.endswith(ELLIPSIS) and message.startswith(shown[:-1]))


def test_an_edit_after_a_run_marks_the_verdict_stale_until_the_next_run(qtbot, make_window):
    window = make_window()
    with qtbot.waitSignal(window.run_finished, timeout=10000):
        window.run_chain()
    assert not window.banner.stale.isVisibleTo(window)
    window.state.set_enabled(0, False)
    assert window.banner.stale.isVisibleTo(window)
    with qtbot.waitSignal(window.run_finished, timeout=10000):
        window.run_chain()
    assert not window.banner.stale.isVisibleTo(window)
    window.env_editor.set_variable("AZURE_CLIENT_SECRET", None)
    assert window.banner.stale.isVisibleTo(window)


def test_convert_is_offered_only_while_the_chain_is_default_azure_credential(make_window):
    window = make_window()
    assert window.convert_action.isEnabled()
    window.convert_chain()
    assert not window.convert_action.isEnabled()
    window.reset_chain()
    assert window.convert_action.isEnabled()


def test_errors_read_as_words_and_scenarios_as_their_one_line_story():
    assert plain_error("ValueError: 'http://bad' is an invalid authority") == "'http://bad' is an invalid authority"
    assert plain_error("ManagedIdentityCredential: no response") == "ManagedIdentityCredential: no response"
    assert first_sentence("The classic wrong account. Months ago someone exported…") == "The classic wrong account"


def test_a_sandbox_that_cannot_start_says_why_in_the_window_without_class_names(qtbot, make_window):
    window = make_window()
    with qtbot.waitSignal(window.sandbox_start_failed, timeout=10000) as failed:
        window.open_sandbox("laptop-wrong")
    assert "did you mean 'laptop-wrong-account'" in failed.args[0]
    body = html.unescape(window.banner.body.text())
    assert "did you mean 'laptop-wrong-account'" in body
    assert "LookupError" not in body and "LookupError" not in window.statusBar().full_message()


def test_the_last_sandbox_chosen_wins_even_if_an_earlier_start_finishes_later(qtbot, make_window):
    window = make_window()
    window.open_sandbox("laptop-az")
    window.open_sandbox("laptop-wrong-account")
    qtbot.waitUntil(lambda: window.scenario is not None, timeout=60000)
    qtbot.wait(1500)  # let the other start finish too
    assert window.scenario.name == "laptop-wrong-account"
    window.close()
    window.finish_quit()
    assert not window.launcher.busy


def test_the_welcome_after_a_run_has_no_running_tint(qtbot, make_window):
    window = make_window()
    neutral = window.banner.styleSheet()
    window.banner.show_running("Starting the sandbox scenario laptop-az…")
    assert window.banner.styleSheet() != neutral
    window.banner.show_welcome()
    assert window.banner.styleSheet() == neutral


def test_starting_on_a_sandbox_never_probes_this_machine_first(qtbot, settings):
    from app.gui.main_window import MainWindow
    from engine.host import Host

    built = []

    def builder(spec, host):
        built.append(host.label)
        raise ValueError("not wanted here")

    window = MainWindow(host=Host(env={}, label="this machine"), builder=builder, settings=settings, probe_now=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(600)  # longer than the first probe's delay
    assert built == []


def test_the_options_editor_is_built_when_first_shown_and_shows_the_current_member(qtbot, make_window):
    window = make_window()
    panel = window.chain_panel
    assert panel._options is None  # not needed for the first paint
    panel.options_toggle.setChecked(True)
    assert panel.options.isVisible()
    assert panel.options.title_text == "DefaultAzureCredential keyword arguments"
    window.convert_chain()
    panel.select_row(1)
    assert (
        panel.options.title_text.endswith("keyword arguments")
        and "DefaultAzureCredential" not in panel.options.title_text
    )
