"""Cutting a .bib file into blocks: where each starts, how it ends, and what cannot be read."""

from __future__ import annotations

import io

from refman.formats.bibtex.split import CHUNK_BYTES, cut_blocks, text_blocks


def cuts(text: str, chunk: int = 7):
    """The blocks of ``text`` fed in small pieces, so that blocks span several of them."""
    pieces = [text[i : i + chunk] for i in range(0, len(text), chunk)]
    return [(c.kind, c.key, c.line, c.problem[:12]) for c in cut_blocks(pieces)]


def test_blocks_with_braces_and_parentheses_and_text_between():
    text = (
        "intro @ not a block\n"
        '@string(x = "a ) b")\n'
        "@Article { key1 ,\n  title = {A {nested} value}}\n"
        "@misc(key2, note = {(paren)})\n"
        "@comment{anything}"
    )
    assert cuts(text) == [
        ("string", "x", 2, ""),
        ("article", "key1", 3, ""),
        ("misc", "key2", 5, ""),
        ("comment", "anything", 6, ""),
    ]


def test_a_block_text_is_the_whole_block():
    text = "@book{k,\n title = {T}}\n"
    (cut,) = list(cut_blocks([text]))
    assert cut.text == "@book{k,\n title = {T}}"


def test_text_blocks_decode_a_stream_of_many_chunks():
    text = ("@book{k, title = {Ünïcödé}}\r\n" * (3 * CHUNK_BYTES // 30)).encode()
    decoded = "".join(text_blocks(io.BytesIO(text[100:]), text[:100]))
    assert decoded == text.decode().replace("\r\n", "\n")
