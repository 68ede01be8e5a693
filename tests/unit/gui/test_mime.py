"""What items carry out of the window: ids for refman, formatted references for others."""

from __future__ import annotations

from refman.gui import mime
from tests.unit.gui.helpers import id_of


def test_ids_go_out_and_come_back(papers_library):
    ids = [id_of(papers_library, "Gut"), id_of(papers_library, "Deep")]
    data = mime.ItemMimeData(papers_library, ids)
    assert mime.decode_ids(data) == ids
    assert mime.decode_ids(data) == ids  # a second read (drag enter, then drop) too


def test_formatted_references_are_made_only_when_asked(papers_library, monkeypatch):
    calls = []
    real = mime.bibliography
    monkeypatch.setattr(mime, "bibliography", lambda *a: calls.append(a[2]) or real(*a))
    data = mime.ItemMimeData(papers_library, [id_of(papers_library, "Gut")])
    mime.decode_ids(data)
    assert calls == []
    assert "Gut microbiota and obesity" in data.text()
    assert data.html()
    assert calls == ["text", "html"]


def test_without_a_citation_processor_the_text_is_title_and_authors(papers_library, monkeypatch):
    def broken(ids, fmt, **kwargs):
        raise ImportError("no citation module")

    monkeypatch.setattr(papers_library.exporting, "export", broken)
    gut = id_of(papers_library, "Gut")
    assert (
        mime.bibliography(papers_library, [gut], "text")
        == "Gut microbiota and obesity — Zhang, Li\n"
    )
    assert mime.bibliography(papers_library, [gut], "html") == (
        "<p>Gut microbiota and obesity — Zhang, Li</p>"
    )


def test_a_citation_is_in_the_style_asked_for(papers_library):
    ids = [id_of(papers_library, "Safety"), id_of(papers_library, "Balloon")]
    assert mime.citation(papers_library, ids) == "1,2"  # AMA, the default
    assert mime.citation(papers_library, ids, "html") == "<sup>1,2</sup>"
    assert (
        mime.citation(papers_library, ids, "text", "apa")
        == "(Knowles et al., 2023; Smith & Doe, 2019)"
    )


def test_without_a_citation_processor_a_citation_is_author_and_year(papers_library, monkeypatch):
    def broken(ids, style=None, fmt="text"):
        raise ImportError("no citation module")

    monkeypatch.setattr(papers_library.exporting, "cite", broken)
    ids = [id_of(papers_library, "Safety"), id_of(papers_library, "Balloon")]
    assert mime.citation(papers_library, ids) == "(Knowles et al., 2023; Smith and Doe, 2019)"


def test_dragged_references_are_in_the_style_given(papers_library):
    data = mime.ItemMimeData(papers_library, [id_of(papers_library, "Gut")], lambda: "ieee")
    assert data.text() == "[1] L. Zhang, “Gut microbiota and obesity,” Nature, 2021.\n"
    assert "<i>Nature</i>" in data.html()


def test_copied_data_holds_text_and_html():
    data = mime.clipboard_data("text", "<b>html</b>")
    assert data.text() == "text"
    assert data.html() == "<b>html</b>"
