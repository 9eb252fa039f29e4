"""`utlatande attestera`: an approver signs a built statement's PDF."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .swedish import Command, help_option

PIN_VARIABLE = "UTLATANDE_PIN"


def _pin(what: str) -> str:
    """The PIN from UTLATANDE_PIN, or asked for on the terminal; never an argument, so
    that it stays out of the shell's history and the process list."""
    pin = os.environ.get(PIN_VARIABLE)
    if pin:
        return pin
    if not sys.stdin.isatty():
        raise click.UsageError(f"PIN-koden för {what} saknas: sätt miljövariabeln "
                               f"{PIN_VARIABLE}, eller kör kommandot i en terminal")
    return click.prompt(f"PIN-kod för {what}", hide_input=True, err=True)


@click.command("attestera", cls=Command)
@click.argument("fil", type=click.Path(dir_okay=False, path_type=Path), metavar="FIL.pdf")
@click.option("--certifikat", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FIL.p12", help="Nyckel och certifikat i en PKCS#12-fil (.p12, .pfx).")
@click.option("--pkcs11", "modul", type=click.Path(dir_okay=False, path_type=Path),
              metavar="MODUL.so", help="PKCS#11-modulen för ett kort eller en HSM.")
@click.option("--token", metavar="ETIKETT", help="Tokens etikett (med --pkcs11).")
@click.option("--nyckel", metavar="ETIKETT", help="Nyckelns etikett på token (med --pkcs11).")
@click.option("--certifikatetikett", metavar="ETIKETT",
              help="Certifikatets etikett på token, om den inte är nyckelns (med --pkcs11).")
@click.option("--tidsstämpel", metavar="URL",
              help="En tidsstämpeltjänst (RFC 3161): signaturen blir PAdES B-T.")
@help_option
def command(fil: Path, certifikat: Path | None, modul: Path | None, token: str | None,
            nyckel: str | None, certifikatetikett: str | None,
            tidsstämpel: str | None) -> None:
    """Signera ett byggt utlåtande (PDF) som en av dess attestanter (PAdES).

    Namnet i certifikatet måste stå på PDF:ens attesteringslista och inte redan ha
    signerat. Signaturen läggs till som en inkrementell uppdatering, så tidigare
    signaturer förblir giltiga. PIN-koden läses från miljövariabeln UTLATANDE_PIN eller
    frågas efter i terminalen, aldrig som argument.

    Slutkod 0 när filen signerades, 1 när den inte gjorde det (filen är då oförändrad),
    2 vid felaktiga argument."""
    from .. import api
    from ..errors import display_path
    from ..signing import Pkcs11Key, Pkcs12Key

    if (certifikat is None) == (modul is None):
        raise click.UsageError("ange antingen --certifikat FIL.p12 eller --pkcs11 MODUL.so")
    if modul is not None and not (token and nyckel):
        raise click.UsageError("--pkcs11 kräver --token och --nyckel")
    if tidsstämpel and not tidsstämpel.startswith(("http://", "https://")):
        raise click.UsageError(f"--tidsstämpel: '{tidsstämpel}' är ingen http- eller "
                               "https-adress")
    if certifikat is not None:
        key: Pkcs12Key | Pkcs11Key = Pkcs12Key(certifikat, _pin(display_path(certifikat)))
    else:
        assert modul is not None and token and nyckel
        key = Pkcs11Key(modul, token, nyckel, certifikatetikett, _pin(f"token '{token}'"))
    signed = api.attest(fil, key, tidsstämpel)
    for warning in signed.warnings:
        click.echo(warning, err=True)
    click.echo(f"{display_path(fil)}: signerad av {signed.approver.namn}"
               + (" med tidsstämpel" if tidsstämpel else ""))
    sys.exit(0)
