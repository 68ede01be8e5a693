"""The benchmark's synthetic PubMed XML: the same seed writes the same bytes, and its records
read as the same references as the same records written as MEDLINE."""

from dataclasses import fields

from bench.synthetic import write_medline
from bench.synthetic_pubmed_xml import write_synthetic
from refman.formats import medline, pubmed_xml


def read_xml(path):
    problems: list = []
    with open(path, "rb") as stream:
        refs = [
            r for _, r in pubmed_xml.read_numbered(stream, name="x", on_problem=problems.append)
        ]
    assert problems == []
    return refs


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    write_synthetic(tmp_path / "a.xml", 20, 5)
    write_synthetic(tmp_path / "b.xml", 20, 5)
    write_synthetic(tmp_path / "c.xml", 20, 6)
    assert (tmp_path / "a.xml").read_bytes() == (tmp_path / "b.xml").read_bytes()
    assert (tmp_path / "a.xml").read_bytes() != (tmp_path / "c.xml").read_bytes()


def test_its_records_read_as_their_medline_forms_do(tmp_path):
    """300 records with structured abstracts, groups, ORCIDs, MeSH qualifiers and stars,
    keywords, every form of date: the PubMed XML reader and the MEDLINE reader agree on each
    field of each record."""
    write_synthetic(tmp_path / "s.xml", 300, 11)
    write_medline(tmp_path / "s.nbib", 300, 11)
    from_xml = read_xml(tmp_path / "s.xml")
    from_medline = list(medline.read(tmp_path / "s.nbib"))
    assert len(from_xml) == len(from_medline) == 300
    names = [
        f.name for f in fields(from_xml[0]) if f.name not in ("source_format", "source_record")
    ]
    for xml_ref, medline_ref in zip(from_xml, from_medline, strict=True):
        assert {n: getattr(xml_ref, n) for n in names} == {
            n: getattr(medline_ref, n) for n in names
        }
    assert any(r.creators and r.creators[-1].literal for r in from_xml)
    tags = [t for r in from_xml for t in r.tags]
    assert any(t.major for t in tags) and any(q.major for t in tags for q in t.qualifiers)
