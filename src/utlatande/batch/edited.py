"""A DOCX edited after the build: `build` never overwrites it, `import` collects it.

The manifest records the size, time and SHA-256 of each DOCX a build wrote. A DOCX whose
bytes differ from that was changed by someone (in Word, in LibreOffice); its answer is
not built again until the edits have been imported or `build --tvinga` says to.
"""

from __future__ import annotations

from pathlib import Path

from ..manifest import Manifest, Record, file_hash

EDITABLE = (".docx",)


def output_facts(outputs: list[Path]) -> dict[str, list]:
    """[size, mtime_ns, sha256] of each editable output just written."""
    facts = {}
    for path in outputs:
        if path.suffix in EDITABLE and path.is_file():
            stat = path.stat()
            facts[str(path)] = [stat.st_size, stat.st_mtime_ns, file_hash(path)]
    return facts


def edited_outputs(entry: Record | None) -> list[Path]:
    """The outputs of a build whose bytes are no longer what the build wrote."""
    if entry is None:
        return []
    edited = []
    for name, (size, mtime, digest) in entry.utdata.items():
        path = Path(name)
        try:
            stat = path.stat()
        except OSError:
            continue  # gone: nothing to lose
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime) and file_hash(path) != digest:
            edited.append(path)
    return edited


def message(docx: Path, shown: str) -> str:
    return (f"{shown} har ändrats efter bygget; hämta ändringarna med 'utlatande import "
            f"{shown}' eller bygg om med --tvinga")


def mark_collected(docx: Path) -> None:
    """The DOCX's edits are in its answer file now: the next build may replace it."""
    manifest = Manifest(docx.parent)
    target = docx.resolve()
    changed = False
    for entry in manifest.records.values():
        for name in entry.utdata:
            if Path(name).resolve() == target:
                entry.utdata[name] = output_facts([Path(name)])[name]
                changed = True
    if changed:
        manifest.save()
