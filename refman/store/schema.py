"""The peewee models the store queries through, one per table.

The models are not bound to a database: a ``Store`` binds each query to its own connection
(``query.bind(db)``), so that two libraries can be open at once. The tables themselves are
created by the frozen steps in ``migrations.py``; a test checks that models and tables agree.
Column meanings are in ``mapping.py``; the full-text table lives in ``search.py``. The models
with an integer id declare it (``id = AutoField()``) as peewee would add it, so that the type
checker knows ``Item.id``.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BlobField,
    BooleanField,
    CompositeKey,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


class BaseModel(Model):
    class Meta:
        database = None
        legacy_table_names = False


class Item(BaseModel):
    """One reference. Text columns hold '' rather than NULL; date parts may be NULL.

    The abstract and the trashed flag live in their own tables (ItemAbstract, Trash).
    """

    id = AutoField()
    item_type = TextField()
    title = TextField(default="")
    container_title = TextField(default="")
    container_title_short = TextField(default="")
    collection_title = TextField(default="")
    volume = TextField(default="")
    issue = TextField(default="")
    pages = TextField(default="")
    doi = TextField(default="")
    pmid = TextField(default="")
    pmcid = TextField(default="")
    isbn = TextField(default="")
    language = TextField(default="")
    publisher = TextField(default="")
    place = TextField(default="")
    url = TextField(default="")
    source_format = TextField(default="")
    year = IntegerField(null=True)
    month = IntegerField(null=True)
    day = IntegerField(null=True)
    season = TextField(default="")
    date_text = TextField(default="")
    issns = TextField(default="")  # JSON [[value, kind], ...]
    publication_types = TextField(default="")  # JSON [name, ...]
    date_added = TextField()  # ISO 8601 UTC, see mapping.format_time
    date_modified = TextField()
    # Derived keys (mapping.key_values).
    doi_key = TextField(default="")
    title_sort = TextField(default="")
    creators_sort = TextField(default="")
    creator_summary = TextField(default="")
    date_sort = TextField(default="")
    journal_sort = TextField(default="")
    pmid_sort = TextField(default="")
    volume_sort = TextField(default="")
    pages_sort = TextField(default="")


class ItemAbstract(BaseModel):
    """An item's abstract, when it has one: apart, so that item rows stay small."""

    item = ForeignKeyField(Item, primary_key=True, on_delete="CASCADE")
    abstract = TextField()


class Trash(BaseModel):
    """The items in the trash."""

    item = ForeignKeyField(Item, primary_key=True, on_delete="CASCADE")


class Creator(BaseModel):
    """One creator of an item, at its position in the list.

    Affiliations and ids are JSON columns, not child tables: they are only ever read with
    their creator and never searched or joined on, and MEDLINE gives most authors one or two
    affiliations, so a table of them would add a million rows to a 100,000-item library for
    no query that needs it.
    """

    item = ForeignKeyField(Item, on_delete="CASCADE")
    position = IntegerField()
    role = TextField()
    family = TextField(default="")
    given = TextField(default="")
    literal = TextField(default="")
    affiliations = TextField(default="")  # JSON [text, ...]
    ids = TextField(default="")  # JSON [text, ...]

    class Meta:
        primary_key = CompositeKey("item", "position")


class Tag(BaseModel):
    id = AutoField()
    name = TextField(unique=True)
    color = TextField(default="")


class ItemTag(BaseModel):
    """A tag on an item, once per item (as in Zotero), with the kind it came from."""

    item = ForeignKeyField(Item, on_delete="CASCADE")
    tag = ForeignKeyField(Tag, on_delete="CASCADE")
    kind = TextField()
    position = IntegerField()
    major = BooleanField(default=False)
    qualifiers = TextField(default="")  # JSON [[name, major], ...]

    class Meta:
        primary_key = CompositeKey("item", "tag")


class TagTotal(BaseModel):
    """How many items carry each tag, a row per tag (see migrations: who keeps it right)."""

    tag = ForeignKeyField(Tag, primary_key=True, on_delete="CASCADE")
    items = IntegerField(default=0)


class TagNamesVersion(BaseModel):
    """One row, moved by triggers whenever a tag is renamed or deleted."""

    version = IntegerField()

    class Meta:
        primary_key = False


class TagListingRow(BaseModel):
    """At most one row: every tag in list order, as a process sorted them, for the next one
    to read instead of sorting every name again (see store/tags.py, ``TagListings``)."""

    names_version = IntegerField()  # TagNamesVersion when it was sorted
    newest_tag_id = IntegerField()  # tags made since are put in their places
    # How it was made: a listing made otherwise is not read (casefold follows the Unicode
    # version of the Python that sorted; the numbers are in the byte order of its machine).
    format = TextField()
    names = BlobField()  # the names in UTF-8, a NUL before the first and after each
    ids = BlobField()  # the tag ids, 4 bytes each (array "i")
    ranks = BlobField()  # where each comes in order of id, likewise
    starts = BlobField(default=b"")  # where each name starts in names, then its length
    places = BlobField(default=b"")  # the position in the list of each tag in order of id

    class Meta:
        table_name = "tag_listing"
        primary_key = False


class Note(BaseModel):
    id = AutoField()
    item = ForeignKeyField(Item, on_delete="CASCADE")
    html = TextField()
    created = TextField()
    modified = TextField()


class Collection(BaseModel):
    id = AutoField()
    name = TextField()
    parent = ForeignKeyField("self", null=True, on_delete="CASCADE")


class CollectionItem(BaseModel):
    collection = ForeignKeyField(Collection, on_delete="CASCADE")
    item = ForeignKeyField(Item, on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("collection", "item")


class SourceRecord(BaseModel):
    """The imported record's tag/value pairs, in order, as one compressed blob.

    One row per item rather than a row per pair: 100,000 MEDLINE records hold some 6 million
    pairs, which would make the largest table and the slowest insert of all for data that is
    only ever read whole (see mapping.encode_source_record).
    """

    item = ForeignKeyField(Item, primary_key=True, on_delete="CASCADE")
    pairs = BlobField()


class ImportBatch(BaseModel):
    """One import, remembered to be listed and undone (see migrations, version 6)."""

    id = AutoField()
    started = TextField()  # ISO 8601 UTC, see mapping.format_time
    files = TextField(default="")  # JSON [name, ...]
    added = IntegerField(default=0)
    merged = IntegerField(default=0)
    tagged = IntegerField(default=0)
    undone = TextField(default="")  # when it was undone; "" while it stands


class ImportBatchItem(BaseModel):
    """An item one import added or changed, with what it changed and a fingerprint of it."""

    batch = ForeignKeyField(ImportBatch, on_delete="CASCADE")
    item = ForeignKeyField(Item, on_delete="CASCADE")
    kind = TextField()  # "added", "merged" or "tagged"
    fingerprint = BlobField()
    filled = TextField(default="")  # JSON {field: value before, "notes added": [note id]}
    tags = TextField(default="")  # JSON [name, ...]
    collections = TextField(default="")  # JSON [collection id, ...]
    before = BlobField(default=b"")  # the fingerprint before the import changed the item

    class Meta:
        primary_key = CompositeKey("batch", "item")


class ItemFlags(BaseModel):
    """The notices an item's source record names, as flags (see migrations, version 7)."""

    item = ForeignKeyField(Item, primary_key=True, on_delete="CASCADE")
    flags = TextField(default="")  # "retracted concern erratum", space-separated, or ""


class SourceHistory(BaseModel):
    """An item's earlier source record, kept when an update replaced it (migrations, 8)."""

    id = AutoField()
    item = ForeignKeyField(Item, on_delete="CASCADE")
    source_format = TextField(default="")
    pairs = BlobField()
    replaced = TextField()  # ISO 8601 UTC, see mapping.format_time
    reason = TextField(default="")


class Attachment(BaseModel):
    """A file kept with an item (migrations, the attachments step): a copy in the library's
    files folder under its key, or a link to where the file is (``path``)."""

    id = AutoField()
    item = ForeignKeyField(Item, on_delete="CASCADE")
    key = TextField(unique=True)  # the copy's folder in files/; a stable name for a link too
    name = TextField()  # the file's name, as it was
    linked = BooleanField(default=False)
    path = TextField(default="")  # a link's file: relative to the base folder when under it
    content_type = TextField(default="")
    size = IntegerField(default=0)
    added = TextField()  # ISO 8601 UTC, see mapping.format_time
    trashed = BooleanField(default=False)  # in the Trash: the file stays until Empty Trash
    # The text index: "" not read yet, "indexed", "no text" (a scan), or why it failed
    text_state = TextField(default="")
    pages = IntegerField(default=0)


class NotDuplicate(BaseModel):
    """Two items the user said are not duplicates, the smaller id first (see migrations)."""

    first = ForeignKeyField(Item, backref="+", on_delete="CASCADE")
    second = ForeignKeyField(Item, backref="+", on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("first", "second")


class Qualifier(BaseModel):
    """A MeSH subheading's name, lower case, once however many headings carry it."""

    id = AutoField()
    name = TextField(unique=True)


class MeshQualifier(BaseModel):
    """A subheading of an item's MeSH heading (see migrations: [sh] searches)."""

    item = ForeignKeyField(Item, on_delete="CASCADE")
    tag = ForeignKeyField(Tag, on_delete="CASCADE")
    qualifier = ForeignKeyField(Qualifier)

    class Meta:
        primary_key = CompositeKey("item", "tag", "qualifier")


class Affiliation(BaseModel):
    """A creator's affiliation, once however many creators give it (see migrations: [ad])."""

    id = AutoField()
    text = TextField(unique=True)


class ItemAffiliation(BaseModel):
    """An item one of whose creators gives this affiliation."""

    affiliation = ForeignKeyField(Affiliation, on_delete="CASCADE")
    item = ForeignKeyField(Item, on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("affiliation", "item")


class CitationKey(BaseModel):
    """An item's citation key, unique ignoring case (``folded``); see store/citekeys.py."""

    item = ForeignKeyField(Item, primary_key=True, on_delete="CASCADE")
    key = TextField()
    folded = TextField(unique=True)


class CitationKeyPattern(BaseModel):
    """One row (id 1) when a key pattern was chosen; none means the default."""

    id = IntegerField(primary_key=True)
    pattern = TextField()


class SavedSearch(BaseModel):
    """A saved search: a name (unique ignoring case) and its query text (see migrations)."""

    id = AutoField()
    name = TextField()
    query = TextField()
    created = TextField()  # ISO 8601 UTC, see mapping.format_time
    changed = TextField()


MODELS: tuple[type[BaseModel], ...] = (
    Item,
    ItemAbstract,
    Trash,
    Creator,
    Tag,
    ItemTag,
    TagTotal,
    TagNamesVersion,
    TagListingRow,
    Note,
    Collection,
    CollectionItem,
    SourceRecord,
    ImportBatch,
    ImportBatchItem,
    ItemFlags,
    SourceHistory,
    Attachment,
    NotDuplicate,
    Qualifier,
    MeshQualifier,
    Affiliation,
    ItemAffiliation,
    CitationKey,
    CitationKeyPattern,
    SavedSearch,
)
