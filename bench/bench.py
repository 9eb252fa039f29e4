"""The batch benchmark (make bench): not a test, a measurement.

Generates realistic statements (about three pages of Swedish text each, made from the
seeds' sentences), builds them to PDF and DOCX and prints documents per second, the
one-document cold time, the no-op time over 100 answers, peak memory of a 20- and a
200-document build, where the time of a build goes, and, where pandoc and soffice are
installed, the pandoc + LibreOffice pipeline on the same text with the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "reference"
UTLATANDE = [sys.executable, "-m", "utlatande"]


def sentences() -> list[str]:
    """Sentences of the seeds' statements: real Swedish municipal prose."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("00[0234]_*.txt")))
    text = re.sub(r"[#*~\[\]]", "", text)
    found = re.findall(r"[A-ZÅÄÖ][^.!?\n]{30,220}[.!?]", text)
    return [s.strip() for s in found if ":" not in s]


def statement(n: int, pool: list[str], rng: random.Random) -> tuple[str, str]:
    """An answer file (YAML) and the same text as Markdown for pandoc."""
    def paragraph() -> str:
        return " ".join(rng.choice(pool) for _ in range(4))

    sections = []
    for s in range(4):
        paragraphs = [paragraph() for _ in range(3)]
        sections.append((f"Avsnitt {s + 1}", paragraphs))
    title = f"Utlåtande nummer {n}"
    summary = paragraph()
    bullets = [rng.choice(pool) for _ in range(4)]
    yaml_lines = [
        "mall: tjänsteutlåtande", "profil: stockholm", "förvaltning: Socialförvaltningen",
        "datum: 2024-03-19", "till: Socialnämnden",
        "handläggare:", "  - {namn: Sofia Linder, telefon: \"08-508 251 64\"}",
        f"rubrik: {title}", "underrubrik: Svar på skrivelse",
        "förslag_till_beslut:", "  - Nämnden godkänner förvaltningens tjänsteutlåtande.",
        "sammanfattning: |", f"  {summary}", "",
        *(f"  - {b}" for b in bullets), "avsnitt:"]
    for heading, paragraphs in sections:
        yaml_lines += [f"  - rubrik: {heading}", "    text: |"]
        for p in paragraphs:
            yaml_lines += [f"      {p}", ""]
    yaml_lines += ["underskrifter:", "  - {namn: Veronica Wolgast Carstorp, titel: Socialdirektör}",
                   "attestering:", "  - {namn: Veronica Wolgast Carstorp, datum: 2024-03-06}"]
    md = [f"# {title}", "", "## Förvaltningens förslag till beslut", "",
          "1. Nämnden godkänner förvaltningens tjänsteutlåtande.", "", "## Sammanfattning", "",
          summary, "", *(f"- {b}" for b in bullets), ""]
    for heading, paragraphs in sections:
        md += [f"## {heading}", ""] + [x for p in paragraphs for x in (p, "")]
    md += ["Veronica Wolgast Carstorp", "", "Socialdirektör", ""]
    return "\n".join(yaml_lines) + "\n", "\n".join(md) + "\n"


def make_project(folder: Path, count: int) -> list[Path]:
    shutil.copytree(ROOT / "templates", folder / "templates", dirs_exist_ok=True)
    (folder / "answers").mkdir(parents=True, exist_ok=True)
    (folder / "md").mkdir(exist_ok=True)
    rng = random.Random(2024)
    pool = sentences()
    for n in range(1, count + 1):
        yaml_text, md_text = statement(n, pool, rng)
        (folder / "answers" / f"u{n:03}.yaml").write_text(yaml_text, encoding="utf-8")
        (folder / "md" / f"u{n:03}.md").write_text(md_text, encoding="utf-8")
    return sorted((folder / "answers").glob("*.yaml"))


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and the peak RSS (KiB) of the largest process the command ran."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
             "print(time.perf_counter() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def profile_share(folder: Path, count: int) -> str:
    """Where the time of an in-process build goes: WeasyPrint's layout and writing vs the rest."""
    code = f"""
import os, time, sys
from pathlib import Path
os.chdir({str(folder)!r})
from utlatande import pipeline
from utlatande.render import pdf
spent = {{"weasyprint": 0.0, "docx": 0.0}}
original = pdf.write_pdf
def timed_pdf(*a, **k):
    t = time.perf_counter(); r = original(*a, **k); spent["weasyprint"] += time.perf_counter() - t
    return r
import utlatande.render.docx as d
original_docx = d.write_docx
def timed_docx(*a, **k):
    t = time.perf_counter(); r = original_docx(*a, **k); spent["docx"] += time.perf_counter() - t
    return r
pdf.write_pdf = timed_pdf
d.write_docx = timed_docx
answers = sorted(Path("answers").glob("*.yaml"))[:{count}]
pipeline.build(answers[0], Path("warm"), ("pdf", "docx"), Path.cwd())
spent.update(weasyprint=0.0, docx=0.0)
t = time.perf_counter()
for a in answers:
    pipeline.build(a, Path("prof"), ("pdf", "docx"), Path.cwd())
total = time.perf_counter() - t
print(total, spent["weasyprint"], spent["docx"])
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout.split()
    total, weasy, docx_time = (float(x) for x in out)
    rest = total - weasy - docx_time
    return (f"{count} dokument i en process: {total:.2f} s; WeasyPrint (layout + PDF) "
            f"{weasy:.2f} s ({weasy / total:.0%}), DOCX {docx_time:.2f} s "
            f"({docx_time / total:.0%}), resten (YAML, validering, Markdown, Jinja, "
            f"bilagor, skrivning) {rest:.2f} s ({rest / total:.0%})")


def pandoc_pipeline(folder: Path, count: int) -> float | None:
    """pandoc (Markdown → DOCX, one process a document) then one soffice call for all PDFs,
    over the same `count` texts as utlatande's batch."""
    if not (shutil.which("pandoc") and shutil.which("soffice")):
        return None
    out = folder / "pandoc"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    started = time.perf_counter()
    for md in sorted((folder / "md").glob("*.md"))[:count]:
        subprocess.run(["pandoc", str(md), "-o", str(out / f"{md.stem}.docx")], check=True)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    *map(str, sorted(out.glob("*.docx")))], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _seconds(runs: list[float]) -> str:
    return ", ".join(f"{r:.2f}" for r in runs) + " s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="statements in the batch (40)")
    parser.add_argument("--quick", action="store_true", help="skip the 100/200 runs")
    args = parser.parse_args()
    env_note = f"{os.cpu_count()} kärnor, Python {sys.version.split()[0]}"
    print(f"utlatande bench: {env_note}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_project(folder, max(args.n, 200 if not args.quick else args.n))
        answers = sorted((folder / "answers").glob("*.yaml"))
        batch = [str(a.relative_to(folder)) for a in answers[:args.n]]

        cold = min(timed([*UTLATANDE, "build", "-q", "--allt", "-o", "cold", batch[0]],
                         folder)[0] for _ in range(3))
        print(f"ett dokument, kallt (PDF + DOCX, ny process): {cold:.2f} s")

        # Three rounds, the two pipelines taking turns, so that a slow spell of a shared
        # machine falls on both; LibreOffice's first start also builds its profile.
        ours: list[float] = []
        theirs: list[float | None] = []
        for _ in range(3):
            ours.append(timed([*UTLATANDE, "build", "-q", "--allt", "-o", "batch", *batch],
                              folder)[0])
            theirs.append(pandoc_pipeline(folder, args.n))
        seconds = min(ours)
        print(f"{args.n} dokument (PDF + DOCX): {seconds:.2f} s, "
              f"{args.n / seconds:.1f} dokument/s (omgångarna: {_seconds(ours)})")
        if None in theirs:
            print("pandoc + LibreOffice: inte installerat här, ingen jämförelse")
        else:
            pandoc = [t for t in theirs if t is not None]
            print(f"pandoc + LibreOffice, samma {args.n} texter: {min(pandoc):.2f} s "
                  f"(omgångarna: {_seconds(pandoc)}); utlatande är "
                  f"{min(pandoc) / seconds:.2f} × snabbare (bästa mot bästa), "
                  f"{statistics.median(pandoc) / statistics.median(ours):.2f} × (median mot "
                  "median)")

        print(profile_share(folder, min(10, args.n)))

        if not args.quick:
            hundred = [str(a.relative_to(folder)) for a in answers[:100]]
            timed([*UTLATANDE, "build", "-q", "-o", "noop", *hundred], folder)
            noop = min(timed([*UTLATANDE, "build", "-q", "-o", "noop", *hundred], folder)[0]
                       for _ in range(3))
            make_noop = min(timed(["make", "-s", "-C", str(ROOT), "build"], ROOT)[0]
                            for _ in range(3))
            print(f"inget att göra, 100 svarsfiler: {noop:.3f} s "
                  f"(make i projektet, {len(list((ROOT / 'answers').glob('*.yaml')))} "
                  f"svarsfiler: {make_noop:.3f} s)")
            _, small = timed([*UTLATANDE, "build", "-q", "--allt", "-o", "m20",
                              *[str(a.relative_to(folder)) for a in answers[:20]]], folder)
            _, large = timed([*UTLATANDE, "build", "-q", "--allt", "-o", "m200",
                              *[str(a.relative_to(folder)) for a in answers[:200]]], folder)
            print(f"största process, 20 dokument: {small / 1024:.0f} MiB; 200 dokument: "
                  f"{large / 1024:.0f} MiB ({large / small:.2f} ×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
