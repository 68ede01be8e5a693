"""What the formats tests share: where the test data is, and references built by hand.

Each name in ``SAMPLES`` has golden outputs under tests/data/export/: NAME.bib,
NAME.biblatex.bib and NAME.ris.
"""

from pathlib import Path

from refman.model import (
    Creator,
    Issn,
    MeshQualifier,
    PartialDate,
    Reference,
    Tag,
)

DATA = Path(__file__).parents[2] / "data"
EXPORT = DATA / "export"  # the golden files of the BibTeX, BibLaTeX and RIS writers
CSL_DATA = DATA / "csl"  # citeproc-js's output, and the CSL-JSON it was given
SEED_FILE = DATA / "000_dccecbf8d310899f.txt"  # the seed's MEDLINE record, its line breaks lost

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
