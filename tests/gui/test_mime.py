"""What items carry out of the window: ids for refman, formatted references for others."""

from __future__ import annotations

from gui_helpers import id_of

from refman.gui import mime


def test_ids_go_out_and_come_back(library):
    ids = [id_of(library, "Gut"), id_of(library, "Deep")]
    data = mime.ItemMimeData(library, ids)
    assert mime.decode_ids(data) == ids
    assert mime.decode_ids(data) == ids  # a second read (drag enter, then drop) too


def test_formatted_references_are_made_only_when_asked(library, monkeypatch):
    calls = []
    real = mime.bibliography
    monkeypatch.setattr(mime, "bibliography", lambda *a: calls.append(a[2]) or real(*a))
    data = mime.ItemMimeData(library, [id_of(library, "Gut")])
    mime.decode_ids(data)
    assert calls == []
    assert "Gut microbiota and obesity" in data.text()
    assert data.html()
    assert calls == ["text", "html"]


def test_without_a_citation_processor_the_text_is_title_and_authors(library, monkeypatch):
    def broken(ids, fmt, **kwargs):
        raise ImportError("no citation module")

    monkeypatch.setattr(library.exporting, "export", broken)
    gut = id_of(library, "Gut")
    assert mime.bibliography(library, [gut], "text") == "Gut microbiota and obesity — Zhang, Li\n"
    assert mime.bibliography(library, [gut], "html") == (
        "<p>Gut microbiota and obesity — Zhang, Li</p>"
    )


def test_a_citation_is_in_the_style_asked_for(library):
    ids = [id_of(library, "Safety"), id_of(library, "Balloon")]
    assert mime.citation(library, ids) == "1,2"  # AMA, the default
    assert mime.citation(library, ids, "html") == "<sup>1,2</sup>"
    assert mime.citation(library, ids, "text", "apa") == "(Knowles et al., 2023; Smith & Doe, 2019)"


def test_without_a_citation_processor_a_citation_is_author_and_year(library, monkeypatch):
    def broken(ids, style=None, fmt="text"):
        raise ImportError("no citation module")

    monkeypatch.setattr(library.exporting, "cite", broken)
    ids = [id_of(library, "Safety"), id_of(library, "Balloon")]
    assert mime.citation(library, ids) == "(Knowles et al., 2023; Smith and Doe, 2019)"


def test_dragged_references_are_in_the_style_given(library):
    data = mime.ItemMimeData(library, [id_of(library, "Gut")], lambda: "ieee")
    assert data.text() == "[1] L. Zhang, “Gut microbiota and obesity,” Nature, 2021.\n"
    assert "<i>Nature</i>" in data.html()


def test_copied_data_holds_text_and_html():
    data = mime.clipboard_data("text", "<b>html</b>")
    assert data.text() == "text"
    assert data.html() == "<b>html</b>"
