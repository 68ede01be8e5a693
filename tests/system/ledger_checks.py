"""What a torture run must leave behind: the library against the ledger of what was tried.

Each change has an outcome (see ``ledger.Attempt``): ``done`` must be there exactly once,
``failed`` and ``refused`` must not be there at all, ``unknown`` (its process was killed before
it said) may be there, but whole. Whatever the ledger does not name must not be there. Reads
taken during the run must have seen every record committed before they started.
"""

from __future__ import annotations

import collections
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from refman.library import Library
from refman.model import TAG_MANUAL, ViewQuery
from tests.safety_helpers import integrity_problems, refman
from tests.samples import SEED_FILE
from tests.system.ledger import Attempt
from tests.system.torture import TortureRun


@dataclass
class Content:
    """What the library holds, by PMID (item ids mean nothing to the ledger of imports)."""

    pmids: collections.Counter
    tags: dict[str, set[str]]  # manual tag -> PMIDs of the items carrying it
    notes: collections.Counter  # (PMID, the note's words) -> how many such notes
    collections: collections.Counter  # name -> how many collections have it
    members: dict[str, set[str]]  # collection name -> PMIDs of its items


def verify(run: TortureRun) -> None:
    """Add to ``run.problems`` whatever the library does wrong; nothing when all is well."""
    damage = integrity_problems(run.library)
    if damage:
        run.problem(f"SQLite's integrity check fails: {damage[:5]}")
        return  # what follows would only repeat it
    checked = refman(run.library, "check", env=run.env)
    if checked.returncode != 0 or "No problems found." not in checked.stdout:
        run.problem(f"refman check says: {checked.stdout.strip()} {checked.stderr.strip()}")
    content = read_content(run)
    check_items(run, content)
    check_tags(run, content)
    check_notes(run, content)
    check_collections(run, content)
    check_reads(run)


def read_content(run: TortureRun) -> Content:
    with Library(run.library, read_only=True) as library:
        refs = library.items.get_many(sorted(library.items.all_ids()))
        pmid_of = {ref.id: ref.pmid for ref in refs}
        tags: dict[str, set[str]] = collections.defaultdict(set)
        for ref in refs:
            for tag in ref.tags:
                if tag.kind == TAG_MANUAL:
                    tags[tag.name].add(ref.pmid)
        notes = collections.Counter(
            (ref.pmid, _words(note.html)) for ref in refs for note in library.notes.of_item(ref.id)
        )
        names = collections.Counter(c.name for c in library.collections.all())
        members = {
            c.name: {pmid_of[i] for i in library.items.search(ViewQuery(collection=c.id))}
            for c in library.collections.all()
        }
    return Content(collections.Counter(pmid_of.values()), tags, notes, names, members)


def _words(note_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", note_html)).split())


def _kind(run: TortureRun, kind: str) -> list[Attempt]:
    return sorted((a for a in run.attempts if a.kind == kind), key=lambda a: a.began)


def _whole_or_nothing(outcomes: set[str], have: int, whole: int) -> bool:
    """Whether ``have`` of ``whole`` parts fit the outcomes of the attempts that make them."""
    if "done" in outcomes:
        return have == whole
    if "unknown" in outcomes:
        return have in (0, whole)
    return have == 0


# --- items ------------------------------------------------------------------------------------


def check_items(run: TortureRun, content: Content) -> None:
    for pmid, count in content.pmids.items():
        if count > 1:
            run.problem(f"PMID {pmid} is in the library {count} times")
    missing = run.seed_pmids - set(content.pmids)
    if missing:
        run.problem(f"records of the library as it was before the run are gone: {sorted(missing)}")
    imports = collections.defaultdict(set)
    for attempt in _kind(run, "import"):
        imports[attempt.what["source"]].add(attempt.outcome)
    imports[str(SEED_FILE)].add("done")  # the seed record was there before the run
    universe = set(run.seed_pmids)
    for key, source in run.sources.items():
        universe.update(source.pmids)
        have = sum(1 for pmid in source.pmids if pmid in content.pmids)
        if imports[key] == {"unknown"}:  # killed imports of files no one else imported
            run.log(
                f"{source.path.name}, killed while imported, is {'there' if have else 'absent'}"
            )
        if not _whole_or_nothing(imports[key], have, len(source.pmids)):
            tried = ", ".join(sorted(imports[key])) or "never imported"
            run.problem(
                f"{source.path.name}: {have} of its {len(source.pmids)} records are in the "
                f"library; its imports: {tried}"
            )
    strangers = sorted(set(content.pmids) - universe)
    if strangers:
        run.problem(f"items no one imported: PMIDs {strangers[:10]}")


# --- tags -------------------------------------------------------------------------------------


def check_tags(run: TortureRun, content: Content) -> None:
    named = _check_anchor_tags(run, content) | _check_import_tags(run, content)
    for tag in sorted(set(content.tags) - named):
        run.problem(f"tag {tag!r} is on {len(content.tags[tag])} items, but no one added it")


def _check_anchor_tags(run: TortureRun, content: Content) -> set[str]:
    """Tags each changed by one owner on anchors: each as its owner's last change left it."""
    changes = collections.defaultdict(list)
    for attempt in _kind(run, "tag"):
        changes[attempt.what["tag"], attempt.what["item"]].append(attempt)
    for (tag, item_id), attempts in changes.items():
        possible = {False}
        for attempt in attempts:
            if attempt.outcome == "done":
                possible = {attempt.what["adding"]}
            elif attempt.outcome == "unknown":
                possible.add(attempt.what["adding"])
        there = run.anchor_pmids[item_id] in content.tags.get(tag, set())
        if there not in possible:
            history = [
                (a.who, "add" if a.what["adding"] else "remove", a.outcome) for a in attempts
            ]
            state = "there" if there else "missing"
            run.problem(f"tag {tag!r} is {state} on item {item_id}; its changes: {history}")
    tags = {tag for tag, _ in changes}
    for tag in tags:
        touched = {run.anchor_pmids[item] for t, item in changes if t == tag}
        strays = content.tags.get(tag, set()) - touched
        if strays:
            run.problem(f"tag {tag!r} is on items no one tagged: PMIDs {sorted(strays)[:10]}")
    return tags


def _check_import_tags(run: TortureRun, content: Content) -> set[str]:
    """``import --tag T``: T on every record of that file, with the records or not at all."""
    tags = set()
    for attempt in _kind(run, "import"):
        tag = attempt.what.get("tag")
        if tag is None:
            continue
        tags.add(tag)
        pmids = set(run.sources[attempt.what["source"]].pmids)
        on = content.tags.get(tag, set())
        if not (on in (set(), pmids) and _whole_or_nothing({attempt.outcome}, len(on), len(pmids))):
            run.problem(
                f"tag {tag!r} of an import ({attempt.outcome}) is on {len(on & pmids)} of its "
                f"{len(pmids)} records and on {len(on - pmids)} others"
            )
    return tags


# --- notes and collections --------------------------------------------------------------------


def check_notes(run: TortureRun, content: Content) -> None:
    expected = {}
    empty_allowed = collections.Counter()
    for attempt in _kind(run, "note"):
        key = (run.anchor_pmids[attempt.what["item"]], attempt.what["text"])
        expected[key] = attempt
        if attempt.who.startswith("window") and attempt.outcome != "done":
            empty_allowed[key[0]] += 1  # the window makes the note, then saves what is typed
    for key, attempt in expected.items():
        count = content.notes.get(key, 0)
        if not _whole_or_nothing({attempt.outcome}, count, 1):
            run.problem(f"note {key[1]!r} ({attempt.outcome}) is on its item {count} times")
    for (pmid, text), count in content.notes.items():
        if (pmid, text) in expected:
            continue
        if text == "" and count <= empty_allowed[pmid]:
            continue
        run.problem(f"{count} note(s) {text!r} on PMID {pmid}, which no one wrote")


def check_collections(run: TortureRun, content: Content) -> None:
    named = set()
    for attempt in _kind(run, "collection"):
        name = attempt.what["name"]
        named.add(name)
        count = content.collections.get(name, 0)
        if not _whole_or_nothing({attempt.outcome}, count, 1):
            run.problem(f"collection {name!r} ({attempt.outcome}) is there {count} times")
    for attempt in _kind(run, "import"):
        name = attempt.what.get("collection")
        if name is None:
            continue
        named.add(name)
        _check_import_collection(run, content, attempt, name)
    for name in sorted(set(content.collections) - named):
        run.problem(f"collection {name!r} is there, but no one made it")


def _check_import_collection(run: TortureRun, content: Content, attempt: Attempt, name: str):
    """``import --collection C``: C holds the file's records, or (unknown) C may be empty."""
    pmids = set(run.sources[attempt.what["source"]].pmids)
    count = content.collections.get(name, 0)
    members = content.members.get(name, set())
    if attempt.outcome == "done":
        right = count == 1 and members == pmids
    elif attempt.outcome == "unknown":
        right = count == 0 or (count == 1 and members in (set(), pmids))
    else:
        right = count == 0
    if not right:
        run.problem(
            f"collection {name!r} of an import ({attempt.outcome}) is there {count} times, with "
            f"{len(members & pmids)} of the file's {len(pmids)} records and {len(members - pmids)}"
            " others"
        )


# --- reads ------------------------------------------------------------------------------------


def check_reads(run: TortureRun) -> None:
    """Each read saw every record committed before it began, once, and no record no one had
    begun to import before it ended."""
    imports = [
        (a, run.sources[a.what["source"]].pmids)
        for a in _kind(run, "import")
        if a.outcome != "refused"
    ]
    for read in run.reads:
        must = set(run.seed_pmids)
        may = set(run.seed_pmids)
        for attempt, pmids in imports:
            if attempt.outcome == "done" and attempt.ended < read.began:
                must.update(pmids)
            if attempt.began < read.ended:
                may.update(pmids)
        seen = set(read.pmids)
        twice = [pmid for pmid, n in read.pmids.items() if n > 1]
        wrong = (
            ("missed", must - seen, "committed before it began"),
            ("listed twice", twice, ""),
            ("listed", seen - may, "that no one had begun to import"),
        )
        for what, pmids, why in wrong:
            if pmids:
                run.problem(
                    f"{read.who}'s {read.what} at {read.began - run.t0:.2f} s {what} "
                    f"{len(pmids)} records {why}: {_sample(pmids)}"
                )


def _sample(pmids: Iterable[str]) -> str:
    return ", ".join(sorted(pmids)[:5])
