"""bench.synthetic, the benchmark's generator: records that read back with their ids, authors,
MeSH headings, keywords, abstracts and PubMed's varied dates and wrapping, words in a
long-tailed distribution, and the same bytes from the same seed."""

import re
from collections import Counter

import pytest
from Bio import Medline

from bench import synthetic
from bench.__main__ import FIELD_QUERY_COUNT, QUERY_COUNT, is_field_query
from refman.model import TAG_KEYWORD, TAG_MESH
from tests.samples import SYNTHETIC_RECORDS, SYNTHETIC_SEED


@pytest.fixture(scope="module")
def vocab():
    return synthetic.Vocabulary(SYNTHETIC_SEED)


def test_every_record_reads_back_with_its_ids(synthetic_medline):
    _, refs = synthetic_medline
    assert len(refs) == SYNTHETIC_RECORDS
    assert len({r.pmid for r in refs}) == SYNTHETIC_RECORDS
    dois = [r.doi for r in refs if r.doi]
    assert len(set(dois)) == len(dois) > SYNTHETIC_RECORDS * 0.7


def test_records_have_authors_mesh_keywords_and_abstracts(synthetic_medline):
    _, refs = synthetic_medline
    assert all(1 <= len(r.authors()) <= 15 for r in refs)
    assert max(len(r.authors()) for r in refs) >= 12
    assert any(c.affiliations for r in refs for c in r.creators)
    assert any(c.ids for r in refs for c in r.creators)  # ORCIDs
    mesh = [[t for t in r.tags if t.kind == TAG_MESH] for r in refs]
    assert all(3 <= len(headings) <= 15 for headings in mesh)
    flat = [t for headings in mesh for t in headings]
    assert any(t.major for t in flat) and any(q.major for t in flat for q in t.qualifiers)
    assert sum(any(t.kind == TAG_KEYWORD for t in r.tags) for r in refs) > SYNTHETIC_RECORDS / 3
    assert sum(bool(r.abstract) for r in refs) > SYNTHETIC_RECORDS * 0.8
    assert len({r.container_title for r in refs}) > 50


def test_dates_come_in_pubmeds_varied_forms(synthetic_medline):
    _, refs = synthetic_medline
    shapes = Counter(re.sub(r"[0-9]", "9", re.sub(r"[A-Za-z]+", "A", r.date.text)) for r in refs)
    assert {"9999 A 9", "9999 A", "9999", "9999 A-A"} <= set(shapes)
    assert all(r.date.year and 1965 <= r.date.year <= 2024 for r in refs)


def test_words_follow_a_long_tailed_distribution(synthetic_medline):
    _, refs = synthetic_medline
    words = Counter(w.lower() for r in refs for w in (r.title + " " + r.abstract).split())
    ranked = [count for _, count in words.most_common()]
    assert ranked[0] > 50 * ranked[len(ranked) // 2]  # a few words everywhere, most rare
    assert len(words) > 5000


def test_the_same_seed_writes_the_same_bytes(tmp_path, vocab):
    first, second, other = tmp_path / "a.nbib", tmp_path / "b.nbib", tmp_path / "c.nbib"
    synthetic.write_medline(first, 50, SYNTHETIC_SEED, vocab)
    synthetic.write_medline(second, 50, SYNTHETIC_SEED, synthetic.Vocabulary(SYNTHETIC_SEED))
    synthetic.write_medline(other, 50, SYNTHETIC_SEED + 1)
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()


def test_biopython_reads_as_many_records(synthetic_medline):
    path, _ = synthetic_medline
    with open(path, encoding="utf-8") as handle:
        records = list(Medline.parse(handle))
    assert len(records) == SYNTHETIC_RECORDS
    assert all(record["TI"] for record in records)


def test_long_values_wrap_like_pubmed():
    text = synthetic.wrapped("AB", " ".join(["word"] * 60))
    lines = text.split("\n")
    assert lines[0].startswith("AB  - ") and all(line.startswith(" " * 6) for line in lines[1:])
    assert all(len(line) <= synthetic.WRAP + 1 for line in lines)
    assert all(line.endswith(" ") for line in lines[:-1])


def test_queries_are_varied(vocab):
    queries = vocab.queries(QUERY_COUNT, SYNTHETIC_SEED)
    assert len(queries) == QUERY_COUNT
    assert any(q.isdigit() for q in queries)  # years
    assert any(" " in q for q in queries)  # two words, or an author's full name
    families = {a.family for a in vocab.authors.values}
    assert any(q.split()[0] in families for q in queries)


def test_field_queries_are_pubmed_syntax_over_many_fields(vocab):
    """Every field query parses, none is plain words, and they use most of PubMed's tags."""
    queries = vocab.field_queries(FIELD_QUERY_COUNT, SYNTHETIC_SEED)
    assert len(queries) == FIELD_QUERY_COUNT
    assert all(is_field_query(q) for q in queries)
    used = {tag for q in queries for tag in ("[au]", "[1au]", "[mh]", "[majr]", "[sh]", "[ta]",
                                              "[tiab]", "[ti]", "[dp]", "[pt]", "[ad]", "[la]")
            if tag in q}  # fmt: skip
    assert len(used) == 12
    assert any(q.startswith("(") and " NOT " in q for q in queries)  # PubMed's search box
    assert not any(is_field_query(q) for q in vocab.queries(QUERY_COUNT, SYNTHETIC_SEED))
