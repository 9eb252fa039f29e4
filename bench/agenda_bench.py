"""The agenda benchmark (make bench): not a test, a measurement.

Two meetings, built with the command a secretary runs (`utlatande agenda MÖTE.yaml`):

- a kommunstyrelse meeting of 40 statements of about three pages and one plain item with
  an appendix PDF: a full build, a build with nothing changed, and a build after one
  answer's summary changed, each as a share of the full build;
- a kommunfullmäktige meeting of 60 items, 20 of them with an appendix PDF of about 50
  pages: time, pages and the peak memory of the largest process, also with appendices of
  10 pages, so that the growth of memory with the appendices' pages shows.

Both packets are checked with `utlatande verify`, whose verdict is printed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import UTLATANDE, make_project, timed  # noqa: E402

HEAD = """möte:
  organ: {organ}
  datum: 2024-03-19
  tid: "17.00"
  plats: Stadshuset
ärenden:
"""


def appendix_pdf(path: Path, pages: int, sentences: list[str]) -> None:
    """A third party's appendix: `pages` pages of text, untagged, made by WeasyPrint."""
    code = ("import sys\nfrom weasyprint import HTML\n"
            "HTML(string=sys.stdin.read()).write_pdf(sys.argv[1])\n")
    body = "".join(f"<h2>Avsnitt {n + 1}</h2>" + "".join(
        f"<p>{sentences[(n * 7 + k) % len(sentences)]} "
        f"{sentences[(n * 3 + k) % len(sentences)]}</p>" for k in range(9))
        + '<p style="break-after: page"></p>' for n in range(pages))
    html = (f"<html><head><style>@page {{ size: A4; margin: 25mm }} body {{ font: 11pt serif }}"
            f"</style></head><body>{body}</body></html>")
    subprocess.run([sys.executable, "-c", code, str(path)], input=html, text=True, check=True)


def kommunstyrelsen(folder: Path, count: int) -> Path:
    """40 statements and one plain item with an appendix."""
    from bench import sentences

    answers = make_project(folder, count)
    (folder / "moten" / "bilagor").mkdir(parents=True, exist_ok=True)
    appendix_pdf(folder / "moten" / "bilagor" / "delegationslista.pdf", 3, sentences())
    lines = [HEAD.format(organ="Kommunstyrelsen")]
    lines += [f"  - fil: ../answers/{a.name}\n    föredragande: Sofia Linder, utredare\n"
              for a in answers[:count]]
    lines.append("  - rubrik: Anmälan av delegationsbeslut\n    förslag: Redovisningen "
                 "godkänns.\n    bilagor:\n      - {titel: Delegationslista, "
                 "fil: bilagor/delegationslista.pdf}\n")
    meeting = folder / "moten" / "ks.yaml"
    meeting.write_text("".join(lines), encoding="utf-8")
    return meeting


def kommunfullmaktige(folder: Path, appendix_pages: int) -> Path:
    """60 items: 50 statements (10 with an appendix) and 10 plain items with an appendix."""
    from bench import sentences

    answers = make_project(folder, 50)
    bilagor = folder / "answers" / "bilagor"
    bilagor.mkdir(exist_ok=True)
    appendix_pdf(bilagor / "bilaga-00.pdf", appendix_pages, sentences())
    for n in range(1, 20):  # twenty files, each read on its own
        shutil.copy(bilagor / "bilaga-00.pdf", bilagor / f"bilaga-{n:02}.pdf")
    for n, answer in enumerate(answers[:10]):
        with answer.open("a", encoding="utf-8") as handle:
            handle.write(f"bilagor:\n  - {{titel: Utredning {n + 1}, "
                         f"fil: bilagor/bilaga-{n:02}.pdf}}\n")
    lines = [HEAD.format(organ="Kommunfullmäktige")]
    for n, answer in enumerate(answers):
        lines.append(f"  - fil: ../answers/{answer.name}\n")
        if n % 5 == 4:
            plain = 10 + n // 5
            lines.append(f"  - rubrik: Motion {plain - 9} om kommunens bilagor\n"
                         "    förslag: Motionen besvaras.\n    bilagor:\n"
                         f"      - {{titel: Motionen, fil: ../answers/bilagor/bilaga-{plain:02}"
                         ".pdf}\n")
    (folder / "moten").mkdir(exist_ok=True)
    meeting = folder / "moten" / "kf.yaml"
    meeting.write_text("".join(lines), encoding="utf-8")
    return meeting


def agenda(meeting: Path, folder: Path, out: str, *options: str) -> tuple[float, int]:
    return timed([*UTLATANDE, "agenda", "-q", str(meeting.relative_to(folder)), "-o", out,
                  *options], folder)


def pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def verdict(path: Path, cwd: Path) -> str:
    """What `utlatande verify` says about a packet: its findings, or that it passed."""
    result = subprocess.run([*UTLATANDE, "verify", str(path)], cwd=cwd, capture_output=True,
                            text=True)
    lines = [line.split(": ", 1)[1] for line in result.stderr.splitlines() if ": " in line
             and ("fel:" in line or "varning:" in line)]
    return f"slutkod {result.returncode}" + "".join(f"\n    {line}" for line in lines)


def change_summary(answer: Path) -> None:
    """One answer's summary gets another sentence."""
    text = answer.read_text(encoding="utf-8")
    text = re.sub(r"(sammanfattning: \|\n  )", r"\1Förvaltningen har kompletterat ärendet. ",
                  text, count=1)
    answer.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="statements in the meeting (40)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ks"
        meeting = kommunstyrelsen(folder, args.n)
        full, noop, change = [], [], []
        for round_ in range(args.rounds):
            shutil.rmtree(folder / "ut", ignore_errors=True)
            full.append(agenda(meeting, folder, "ut")[0])
            noop.append(agenda(meeting, folder, "ut")[0])
            change_summary(folder / "answers" / f"u{round_ + 7:03}.yaml")
            change.append(agenda(meeting, folder, "ut")[0])
        packet = folder / "ut" / "ks" / "ks.pdf"
        best = min(full)
        print(f"kallelse, {args.n} utlåtanden och ett ärende med bilaga ({pages(packet)} sidor):")
        print(f"  hela bygget: {best:.2f} s (omgångarna: "
              + ", ".join(f"{t:.2f}" for t in full) + " s)")
        print(f"  inget ändrat: {min(noop):.3f} s = {min(noop) / best:.1%} av hela bygget")
        print(f"  ett svar ändrat: {min(change):.2f} s = {min(change) / best:.1%} av hela bygget")
        print(f"  verify på paketet: {verdict(packet, folder)}")
        public = agenda(meeting, folder, "ut", "--offentlig")[0]
        print(f"  den offentliga versionen: {public:.2f} s; verify på paketet: "
              f"{verdict(folder / 'ut' / 'ks-offentlig' / 'ks-offentlig.pdf', folder)}")

        results = {}
        for size in (10, 50):
            council = Path(tmp) / f"kf{size}"
            meeting = kommunfullmaktige(council, size)
            results[size] = agenda(meeting, council, "ut")
            packet = council / "ut" / "kf" / "kf.pdf"
            results[size] = (*results[size], pages(packet))
            print(f"kommunfullmäktige, 60 ärenden, 20 bilagor om {size} sidor: "
                  f"{results[size][0]:.1f} s, {results[size][2]} sidor, största process "
                  f"{results[size][1] / 1024:.0f} MiB")
            if size == 50:
                print(f"  verify på paketet: {verdict(packet, council)}")
                seconds, memory = agenda(meeting, council, "ut", "--offentlig")
                print(f"  den offentliga versionen: {seconds:.1f} s, största process "
                      f"{memory / 1024:.0f} MiB; verify på paketet: "
                      f"{verdict(council / 'ut' / 'kf-offentlig' / 'kf-offentlig.pdf', council)}")
        small, large = results[10], results[50]
        print(f"  minne med bilagor om 10 sidor ({small[2]} sidor): {small[1] / 1024:.0f} MiB; "
              f"om 50 sidor ({large[2]} sidor): {large[1] / 1024:.0f} MiB "
              f"({large[1] / small[1]:.2f} ×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
