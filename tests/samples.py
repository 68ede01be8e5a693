"""The test data every test takes from one place: where the files are, the real sample files,
and the references built by hand.

Each name in ``SAMPLES`` has golden outputs under tests/data/export/: NAME.bib,
NAME.biblatex.bib and NAME.ris. ``PAPERS`` are the four items of the window tests' library;
the references after them were each written for one test module, which names them.
"""

from pathlib import Path

from refman.model import Creator, Issn, MeshQualifier, PartialDate, Reference, Tag

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"  # files that are not MEDLINE at all, or damaged ones
EXPORT = DATA / "export"  # the golden files of the BibTeX, BibLaTeX and RIS writers
CSL_DATA = DATA / "csl"  # citeproc-js's output, and the CSL-JSON it was given
DUPLICATES = DATA / "duplicates"  # records shaped like PubMed's, described in its README.md

# --- the real sample files --------------------------------------------------------------------

SEED_FILE = DATA / "000_dccecbf8d310899f.txt"  # the seed's MEDLINE record, its line breaks lost
RESULT1 = DATA / "pubmed_result1.txt"  # 1 record
RESULT2 = DATA / "pubmed_result2.txt"  # 4 records
BALLOON = DATA / "nbib-pubmed-balloongui-set.nbib"  # 75 records, 395 KB: read in several chunks
ZOTERO_CASES = tuple(DATA / f"zotero-case-0{n}.nbib" for n in (1, 2, 3))  # 1, 2 and 1 records
# The real files in PubMed's own layout, and with the seed.
PUBMED_FILES = (RESULT1, RESULT2, BALLOON, *ZOTERO_CASES)
REAL_FILES = (SEED_FILE, *PUBMED_FILES)
# What the safety tests' filled library holds (80 records; see safety_helpers.fill_library).
SAMPLE_FILES = (SEED_FILE, RESULT1, RESULT2, BALLOON)

# Duplicates at import: the same paper read ahead of print, then in its final form; a file
# whose later records repeat earlier ones (7 records, 3 repeats); two papers that look alike.
AHEAD_OF_PRINT = DUPLICATES / "ahead-of-print.nbib"
FINAL = DUPLICATES / "final.nbib"
REPEATED = DUPLICATES / "repeated-records.nbib"
EDITORIALS = DUPLICATES / "editorials.nbib"

# Files of tests/data/bad that are not MEDLINE at all, and what an import says of each.
REJECTED = {
    "empty.nbib": "it is empty",
    "binary.nbib": "it is a binary file",
    "pubmed-article.pdf": "it is a PDF",
}

# The styles whose output citeproc-js wrote for the seed (tests/data/csl/STYLE.txt and .html).
REFERENCE_STYLES = (
    "american-medical-association",
    "apa",
    "bmj",
    "chicago-author-date",
    "elsevier-vancouver",
    "harvard-cite-them-right",
    "ieee",
    "nature",
    "nlm-citation-sequence",
    "the-lancet",
)

# Synthetic records (bench.synthetic): the benchmark's small run, and the large files of the
# crash tests (one numbering across the files: no duplicates between them).
SYNTHETIC_SEED = 7
SYNTHETIC_RECORDS = 300
PARTS = 4
RECORDS_PER_PART = 1500

# --- references built by hand -----------------------------------------------------------------

# The seed record (PMID 37144409), with the values of tests/data/csl/seed.csl.json and the
# abstract, ISSNs, country and MeSH headings of its MEDLINE record.
SEED = Reference(
    item_type="article-journal",
    title=(
        "Safety and Efficacy of Iltamiocel Cellular Therapy for the Treatment of Fecal "
        "Incontinence. Results of a Phase 1/2 Study"
    ),
    abstract=(
        "OBJECTIVE: To examine the safety and efficacy of iltamiocel, an investigational "
        "cellular therapy of autologous muscle-derived cells, as a treatment for fecal "
        "incontinence (FI) in adults. BACKGROUND: Limited therapeutic options are available "
        "for patients with FI refractory to conservative treatments.\n"
        "RESULTS: At 12 months, there was a reduction in median FI episodes (-6.0; 95% "
        "confidence interval (CI): -10.0, -1.0). A >/=50% reduction in FI episodes was "
        "observed in 53.7% of participants."
    ),
    container_title="Annals of surgery",
    container_title_short="Ann Surg",
    volume="278",
    issue="6",
    pages="937-944",
    date=PartialDate(2023, 12, 1, "2023 Dec 1"),
    doi="10.1097/SLA.0000000000005894",
    pmid="37144409",
    issns=(Issn("1528-1140", "Electronic"), Issn("0003-4932", "Linking")),
    language="eng",
    place="United States",  # MEDLINE PL: the journal's country, not written by the exporters
    creators=(
        Creator("Knowles", "Charles H"),
        Creator("Canestrari", "Emanuele"),
        Creator("Jankowski", "Ron J"),
        Creator("Cardello", "Kelly"),
        Creator("Raval", "Manoj J"),
    ),
    tags=(
        Tag("Adult", "mesh"),
        Tag("Humans", "mesh"),
        Tag("Fecal Incontinence", "mesh", True, (MeshQualifier("therapy"),)),
        Tag("Quality of Life", "mesh"),
        Tag("Anal Canal", "mesh", False, (MeshQualifier("surgery"),)),
        Tag("to read"),
    ),
    publication_types=("Clinical Trial, Phase I", "Journal Article"),
)

BOOK = Reference(
    item_type="book",
    title="Molecular Biology of the Cell",
    date=PartialDate(2002, text="2002"),
    publisher="Garland Science",
    place="New York",
    isbn="0-8153-3218-1",
    url="https://www.ncbi.nlm.nih.gov/books/NBK21054/",
    language="eng",
    creators=(
        Creator("Alberts", "Bruce"),
        Creator("Johnson", "Alexander"),
        Creator("Lewis", "Julian"),
        Creator("Raff", "Martin"),
        Creator("Roberts", "Keith"),
        Creator("Walter", "Peter"),
    ),
)

CHAPTER = Reference(
    item_type="chapter",
    title="Isolation of Fibroblasts from Human Skin for iPS Cell Reprogramming",
    container_title="Induced Pluripotent Stem Cells: Methods and Protocols",
    collection_title="Methods in Molecular Biology",
    volume="2029",
    pages="11-23",
    date=PartialDate(2019, text="2019"),
    doi="10.1007/978-1-4939-9631-5_2",
    pmid="31273731",
    isbn="978-1-4939-9630-8",
    issns=(Issn("1940-6029", "Electronic"),),
    publisher="Humana",
    place="New York, NY",
    creators=(
        Creator("Ishikawa", "Hiroshi"),
        Creator("Cole", "Anne-Marie"),
        Creator("Bennett", "Mary K", role="editor"),
        Creator("van der Berg", "Jan", role="editor"),
    ),
    tags=(Tag("Fibroblasts", "mesh"), Tag("Cell Culture Techniques", "mesh")),
)

# A collective author alone (a WHO report), and one beside persons whose name holds "and".
COLLECTIVE = (
    Reference(
        item_type="report",
        title="WHO Consolidated Guidelines on Tuberculosis: Module 4: Treatment",
        date=PartialDate(2022, 5, text="2022 May"),
        publisher="World Health Organization",
        place="Geneva",
        isbn="978-92-4-004812-6",
        url="https://www.who.int/publications/i/item/9789240048126",
        creators=(Creator(literal="World Health Organization"),),
    ),
    Reference(
        item_type="article-journal",
        title=(
            "Global burden of 369 diseases and injuries in 204 countries and territories, "
            "1990-2019: a systematic analysis for the Global Burden of Disease Study 2019"
        ),
        container_title="Lancet (London, England)",
        container_title_short="Lancet",
        volume="396",
        issue="10258",
        pages="1204-1222",
        date=PartialDate(2020, 10, 17, "2020 Oct 17"),
        doi="10.1016/S0140-6736(20)30925-9",
        pmid="33069326",
        pmcid="PMC7567026",
        issns=(Issn("1474-547X", "Electronic"),),
        language="eng",
        creators=(
            Creator(literal="GBD 2019 Diseases and Injuries Collaborators"),
            Creator("Vos", "Theo"),
        ),
    ),
)

NON_ASCII = Reference(
    item_type="article-journal",
    title="Über die Wirkung von β-Blockern bei älteren Patienten – eine Kohortenstudie",
    container_title="Deutsche medizinische Wochenschrift (1946)",
    container_title_short="Dtsch Med Wochenschr",
    volume="146",
    issue="3",
    pages="e12–e19",
    date=PartialDate(2021, 2, text="2021 Feb"),
    language="ger",
    creators=(
        Creator("Müller", "Jörg"),
        Creator("Ødegaard", "Nils"),
        Creator("García-López", "María José"),
        Creator("Çelik", "Ayşe"),
        Creator("Nguyễn", "Thị Minh"),
        Creator("Łukasiewicz", "Paweł"),
        Creator("王", "小明"),
        Creator("Straße", "Jürgen", role="editor"),
    ),
    tags=(Tag("β-Blocker", "keyword"), Tag("Ältere", "keyword")),
)

SPECIAL_CHARS = Reference(
    item_type="article-journal",
    title=r"50% & more_{x}: the #1 cost of $10 ~ 2^10 \ bits in R&D",
    abstract="Costs rose 50% (p < 0.05) & fell_back to $3 ~ {as before}.",
    container_title="Journal of A & B",
    volume="12",
    issue="Suppl 1",
    pages="S1-S9",
    date=PartialDate(2018, text="2018"),
    doi="10.1002/(SICI)1097-0258(19980430)17:8<857::AID-SIM777>3.0.CO;2-E",
    url="https://example.org/a_b?q=50%25&x=1#top",
    creators=(Creator("O'Brien", "Seán"),),
    tags=(Tag("R&D"), Tag("cost_model")),
)

OTHER_TYPES = (
    Reference(
        item_type="paper-conference",
        title="Deep Learning for Polyp Detection in Colonoscopy Videos",
        container_title="2020 IEEE 17th International Symposium on Biomedical Imaging (ISBI)",
        pages="1-4",
        date=PartialDate(2020, 4, text="2020 Apr"),
        publisher="IEEE",
        place="Iowa City, IA",
        doi="10.1109/ISBI45749.2020.9098500",
        creators=(Creator("Lee", "Ji-Woo"), Creator("Park", "Sun", role="editor")),
    ),
    Reference(
        item_type="thesis",
        title="Muscle-Derived Cells for Sphincter Repair",
        date=PartialDate(2015, text="2015"),
        publisher="University of Pittsburgh",
        place="Pittsburgh, PA",
        creators=(Creator("Canestrari", "Emanuele"),),
    ),
    Reference(
        item_type="dataset",
        title="Anorectal manometry measurements in 48 adults",
        container_title="Dryad",
        date=PartialDate(2023, 5, 5, "2023 May 5"),
        doi="10.5061/dryad.abc123",
        creators=(Creator("Raval", "Manoj J"),),
    ),
    Reference(
        item_type="webpage",
        title="Fecal incontinence",
        container_title="MedlinePlus",
        date=PartialDate(2024, text="2024", season="Spring"),
        url="https://medlineplus.gov/fecalincontinence.html",
        creators=(Creator(literal="National Library of Medicine"),),
    ),
    Reference(
        item_type="article",
        title="Cell therapy for fecal incontinence: a preprint",
        container_title="medRxiv",
        date=PartialDate(2022, 11, 2, "2022 Nov 2"),
        doi="10.1101/2022.11.01.22281234",
        creators=(Creator("Knowles", "Charles H"),),
    ),
    Reference(item_type="document", title="Untitled notes on the Phase 1/2 Study"),
)

SAMPLES: dict[str, tuple[Reference, ...]] = {
    "seed": (SEED,),
    "book": (BOOK,),
    "chapter": (CHAPTER,),
    "collective": COLLECTIVE,
    "non_ascii": (NON_ASCII,),
    "special_chars": (SPECIAL_CHARS,),
    "other_types": OTHER_TYPES,
}

ALL = tuple(ref for refs in SAMPLES.values() for ref in refs)


# Four papers as a user types them in (Library.items.add, no MEDLINE record behind them): the
# window tests' library. The first is the seed, shorter; the others tell searches, tags and
# sorts apart.
PAPERS = (
    Reference(
        title="Safety and efficacy of iltamiocel cellular therapy for fecal incontinence",
        creators=(
            Creator("Knowles", "Charles H"),
            Creator("Canestrari", "Emanuele"),
            Creator("Raval", "Manoj J"),
        ),
        container_title="Annals of surgery",
        volume="278",
        issue="6",
        pages="937-944",
        date=PartialDate(2023, 12, 1, "2023 Dec 1"),
        doi="10.1097/SLA.0000000000005894",
        pmid="37144409",
        abstract="To examine the safety and efficacy of iltamiocel.",
        tags=(Tag("Fecal Incontinence", "mesh", major=True), Tag("Humans", "mesh")),
    ),
    Reference(
        title="Balloon dilation of the frontal sinus",
        creators=(Creator("Smith", "Jane"), Creator("Doe", "Alan")),
        container_title="The Laryngoscope",
        date=PartialDate(2019),
        tags=(Tag("sinus"), Tag("balloon", "keyword"), Tag("Humans", "mesh")),
    ),
    Reference(
        title="Gut microbiota and obesity",
        creators=(Creator("Zhang", "Li"),),
        container_title="Nature",
        date=PartialDate(2021),
        tags=(Tag("review"),),
    ),
    Reference(
        title="Deep brain stimulation in Parkinson disease",
        creators=(Creator("Brown", "Kim"),),
        container_title="Lancet neurology",
        date=PartialDate(2018),
    ),
)


# --- references written for one test module ---------------------------------------------------

# tests/unit/store/test_items.py: every field the store keeps, filled, with a source record.
RICH = Reference(
    item_type="chapter",
    title="Safety and Efficacy of Iltamiocel: Results of a Phase 1/2 Study",
    abstract="BACKGROUND: Fecal incontinence...\nRESULTS: Improvement.",
    container_title="Annals of surgery",
    container_title_short="Ann Surg",
    collection_title="Surgery Series",
    volume="278",
    issue="6",
    pages="937-944",
    date=PartialDate(2023, None, None, "2023 Winter", "Winter"),
    doi="10.1097/SLA.0000000000005894",
    pmid="37144409",
    pmcid="PMC1234567",
    issns=(
        Issn("1528-1140", "Electronic"),
        Issn("0003-4932", "Print"),
        Issn("0003-4932", "Linking"),
    ),
    isbn="978-3-16-148410-0",
    language="eng",
    publisher="Wolters Kluwer",
    place="Philadelphia",
    url="https://example.org/a",
    creators=(
        Creator(
            "Knowles",
            "Charles H",
            affiliations=("Blizard Institute, London.", "Second affiliation"),
            ids=("0000-0002-1825-0097 [ORCID]",),
        ),
        Creator(literal="FIT Study Group"),
        Creator("Müller", "Zoë"),
        Creator("Editor", "Ed", role="editor"),
    ),
    tags=(
        Tag("Fecal Incontinence", "mesh", True, (MeshQualifier("therapy", True),)),
        Tag("Humans", "mesh"),
        Tag(
            "Brain", "mesh", False, (MeshQualifier("enzymology"), MeshQualifier("pathology", True))
        ),
        Tag("COVID-19", "keyword"),
        Tag("to read"),
    ),
    publication_types=("Journal Article", "Clinical Trial, Phase I"),
    source_format="medline",
    source_record=(("PMID", "37144409"), ("AU", "Knowles CH"), ("AU", "Müller Z"), ("AB", "x\ny")),
    trashed=False,
)


# tests/unit/formats/test_csl_json.py: a chapter with what CSL-JSON carries only in refman's
# own member (ISSN labels, affiliations, MeSH qualifiers).
CSL_CHAPTER = Reference(
    item_type="chapter",
    title="Anal sphincter repair",
    container_title="Colorectal surgery",
    collection_title="Surgical techniques",
    pages="101-120",
    date=PartialDate(2013, None, None, "2013 Winter", "Winter"),
    isbn="978-0-12-345678-9",
    publisher="Springer",
    place="London",
    issns=(Issn("1234-5678", "Print"), Issn("8765-4321", "Electronic")),
    creators=(
        Creator("de Brouwer", "Anna", affiliations=("Leiden", "Delft"), ids=("0000-0002 [ORCID]",)),
        Creator(literal="PROSPECT Study Group"),
        Creator("van Raaij", "Jan", role="editor"),
    ),
    tags=(
        Tag("Fecal Incontinence", "mesh", True, (MeshQualifier("surgery", True),)),
        Tag("sphincter", "keyword"),
        Tag("to read"),
    ),
    publication_types=("Book Chapter",),
)


# tests/unit/formats/medline/test_write.py: an item made in refman, with no source record.
NEW_ITEM = Reference(
    title="A reference typed into refman",
    abstract="It has no source record.",
    container_title="Journal of Examples",
    container_title_short="J Ex",
    volume="12",
    issue="3",
    pages="45-67",
    date=PartialDate(2020, 5, None, "2020 May"),
    doi="10.5555/example.1",
    pmid="99999999",
    pmcid="PMC99999",
    issns=(Issn("1111-2222", "Print"), Issn("3333-4444", "Electronic")),
    language="eng",
    creators=(
        Creator(
            "de la Cruz", "María José", affiliations=("Madrid", "Bilbao"), ids=("0000 [ORCID]",)
        ),
        Creator(literal="The Example Group"),
        Creator("Smith", "John Jr"),
    ),
    tags=(Tag("Brain", "mesh", True, (MeshQualifier("surgery", True),)), Tag("kw", "keyword")),
    publication_types=("Journal Article", "Review"),
)
