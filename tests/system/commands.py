"""What a lane of the torture run does: each kind of ``refman`` command, how it is chosen, and
what its output must say when it succeeds.

A plan gives the arguments, the change it attempts (None for a read), and a judge that looks
at the output of a command that exited 0: it records what a read saw and names as a problem
any answer that is not the one a user should get.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.safety_helpers import integrity_problems, pmid_counts
from tests.system.ledger import Attempt, Command, Lane, Source

if TYPE_CHECKING:
    from tests.system.torture import TortureRun

OTHER_FORMATS = ("bibtex", "ris", "text", "medline")
IMPORT_SUMMARY = re.compile(r"Imported: (\d+) added, (\d+) duplicates? skipped from 1 file\.")
SKIPPED = re.compile(r": skipped PMID (\d+) .*: same PMID as item \d+ ")


@dataclass
class Plan:
    args: list[str]
    attempt: Attempt | None
    judge: Callable[[TortureRun, Command, str], None]


# --- changes ----------------------------------------------------------------------------------


def import_new(run: TortureRun, lane: Lane) -> Plan:
    """A file of records new to the library (each file is imported once in a run)."""
    return _import(run, lane, run.fresh.pop() if run.fresh else run.sample())


def import_sample(run: TortureRun, lane: Lane) -> Plan:
    """A sample file from tests/data: its records may be there already."""
    return _import(run, lane, run.sample())


def _import(run: TortureRun, lane: Lane, source: Source) -> Plan:
    args = ["import", str(source.path)]
    what = {"source": str(source.path)}
    if run.rng.random() < 0.3:
        what["tag"] = f"{lane.name}-import-{lane.count}"
        args += ["--tag", what["tag"]]
    if run.rng.random() < 0.3:
        what["collection"] = f"{lane.name} import {lane.count}"
        args += ["--collection", what["collection"]]
    return Plan(args, Attempt(lane.name, "import", 0, what), _imported)


def _imported(run: TortureRun, command: Command, out: str) -> None:
    """The summary counts every record of the file, added or skipped, and each skipped one is
    named (a true duplicate: the same PMID as an item already there)."""
    source = run.sources[command.attempt.what["source"]]
    summary, *details = out.strip().splitlines() or [""]
    found = IMPORT_SUMMARY.fullmatch(summary)
    added, skipped = (int(found.group(1)), int(found.group(2))) if found else (-1, -1)
    named = [SKIPPED.search(line) for line in details]
    named_pmids = {m.group(1) for m in named if m}
    if (
        added + skipped != len(source.pmids)
        or (source.synthetic and skipped)
        or len(details) != skipped
        or not named_pmids <= set(source.pmids)
        or len(named_pmids) != skipped
    ):
        kind = "new records" if source.synthetic else "records"
        run.problem(f"{_who(command)} of {len(source.pmids)} {kind} said: {out.strip()}")


def tag(run: TortureRun, lane: Lane) -> Plan:
    """Add or remove one of the lane's own tags on one anchor item, found by its word."""
    item_id = run.rng.choice(list(run.anchors))
    name = run.rng.choice(lane.tags)
    adding = run.rng.random() < 0.6
    args = ["tag", "add" if adding else "remove", name, "--query", run.anchors[item_id]]
    what = {"tag": name, "item": item_id, "adding": adding}
    return Plan(args, Attempt(lane.name, "tag", 0, what), _tagged)


def _tagged(run: TortureRun, command: Command, out: str) -> None:
    what = command.attempt.what
    verb = "Tagged" if what["adding"] else "Untagged"
    _expect(run, command, out, f"{verb} 1 item '{what['tag']}'.")


def note(run: TortureRun, lane: Lane) -> Plan:
    item_id = run.rng.choice(list(run.anchors))
    text = f"{lane.name} note {lane.count}"
    what = {"item": item_id, "text": text}
    return Plan(["note", "add", str(item_id), text], Attempt(lane.name, "note", 0, what), _noted)


def _noted(run: TortureRun, command: Command, out: str) -> None:
    if not re.fullmatch(rf"Added note \d+ to item {command.attempt.what['item']}\.", out.strip()):
        run.problem(f"{_who(command)} said: {out.strip()}")


# --- reads ------------------------------------------------------------------------------------


def list_all(run: TortureRun, lane: Lane) -> Plan:
    return Plan(["list", "--json"], None, _listed)


def _listed(run: TortureRun, command: Command, out: str) -> None:
    run.saw(command, "list", [json.loads(line)["pmid"] for line in out.splitlines()])


def list_anchor(run: TortureRun, lane: Lane) -> Plan:
    return Plan(["list", "--query", run.rng.choice(list(run.anchors.values()))], None, _one_line)


def _one_line(run: TortureRun, command: Command, out: str) -> None:
    if len(out.splitlines()) != 1:
        run.problem(f"{_who(command)} listed {len(out.splitlines())} items instead of 1")


def export_medline(run: TortureRun, lane: Lane) -> Plan:
    return Plan(["export", "--format", "medline"], None, _exported_medline)


def _exported_medline(run: TortureRun, command: Command, out: str) -> None:
    run.saw(command, "MEDLINE export", re.findall(r"^PMID- (\d+)", out, re.M))


def export_csl(run: TortureRun, lane: Lane) -> Plan:
    output = _new_output(run, lane, "exports", ".json")
    return Plan(["export", "--output", str(output)], None, _exported_csl)


def _exported_csl(run: TortureRun, command: Command, _out: str) -> None:
    path = _output(command)
    items = json.loads(path.read_text(encoding="utf-8"))
    run.saw(command, "CSL-JSON export", [item.get("PMID", "") for item in items])
    path.unlink()


def export_other(run: TortureRun, lane: Lane) -> Plan:
    """The anchors (a citation style on thousands of items would take long) in a format."""
    fmt = run.rng.choice(OTHER_FORMATS)
    return Plan(["export", "--format", fmt, "--query", "zqanchor"], None, _not_empty)


def _not_empty(run: TortureRun, command: Command, out: str) -> None:
    if not out.strip():
        run.problem(f"{_who(command)} wrote nothing")


def backup_output(run: TortureRun, lane: Lane) -> Plan:
    output = _new_output(run, lane, "copies", ".sqlite")
    return Plan(["backup", "--output", str(output)], None, _backed_up)


def _backed_up(run: TortureRun, command: Command, _out: str) -> None:
    """A backup is sound, and holds what was committed before it began: a read."""
    path = _output(command)
    damage = integrity_problems(path)
    if damage:
        run.problem(f"{_who(command)}: the copy is damaged: {damage[:3]}")
        return
    run.saw(command, "backup", pmid_counts(path).elements())
    path.unlink()


def backup(run: TortureRun, lane: Lane) -> Plan:
    return Plan(["backup"], None, lambda r, c, out: _expect(r, c, out, "Backed up ", whole=False))


def check(run: TortureRun, lane: Lane) -> Plan:
    """``refman check`` while others write: it must find nothing (and so repair nothing)."""
    return Plan(
        ["check"], None, lambda r, c, out: _expect(r, c, out, "No problems found.", whole=False)
    )


# --- the mix ----------------------------------------------------------------------------------

# Each kind with its weight: how often a lane picks it.
KINDS: dict[str, tuple[int, Callable[[TortureRun, Lane], Plan]]] = {
    "import-new": (24, import_new),
    "import-sample": (8, import_sample),
    "tag": (16, tag),
    "note": (8, note),
    "list": (10, list_all),
    "list-anchor": (4, list_anchor),
    "export-medline": (5, export_medline),
    "export-csl": (5, export_csl),
    "export-other": (4, export_other),
    "backup-output": (3, backup_output),
    "backup": (2, backup),
    "check": (8, check),
}


def _expect(run: TortureRun, command: Command, out: str, text: str, whole: bool = True) -> None:
    if (out.strip() != text) if whole else (text not in out):
        run.problem(f"{_who(command)} said: {out.strip()}")


def _new_output(run: TortureRun, lane: Lane, folder: str, suffix: str) -> Path:
    """Where the lane's command writes its file (``--output``): a name of its own in ``folder``."""
    output = run.folder / folder / f"{lane.name}-{lane.count}{suffix}"
    output.parent.mkdir(exist_ok=True)
    return output


def _output(command: Command) -> Path:
    return Path(command.argv[command.argv.index("--output") + 1])


def _who(command: Command) -> str:
    return f"{command.lane}: `{command.describe()}`"
