"""The attestation list a statement's PDF carries: who must approve it, and how a
certificate's name is matched against it.

The list is written into the PDF's XMP metadata when the PDF is built (a small XMP schema
of our own, declared as a PDF/A extension schema), next to one empty signature field per
approver. `attestera` fills a field, `verify` reads the list back. Nothing here imports
a PDF or crypto library: the callers hand over XMP bytes and certificate names.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

NAMESPACE = "urn:utlatande:ns:attestering:1.0/"
PREFIX = "utlatt"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
PDFA_TYPE = "http://www.aiim.org/pdfa/ns/type#"
PDFA_FIELD = "http://www.aiim.org/pdfa/ns/field#"
FIELD_PREFIX = "attestering-"

# The structure type's fields, each (name, XMP value type, description).
_FIELDS = (("Namn", "Text", "Attestantens namn"),
           ("Titel", "Text", "Attestantens titel"),
           ("Datum", "Date", "Dagen då dokumentet godkändes"),
           ("Falt", "Text", "Namnet på attestantens signaturfält i PDF:en"))


@dataclass(frozen=True)
class Approver:
    """One person on a statement's attestation list, and the signature field kept for them."""

    namn: str
    titel: str | None
    datum: dt.date | None
    fält: str


def field_name(number: int) -> str:
    """The signature field of the `number`th approver (1-based); /T may hold no period."""
    return f"{FIELD_PREFIX}{number}"


def approvers_of(persons: Iterable) -> list[Approver]:
    """The attestation list of an answer's `attestering` persons, in their order."""
    return [Approver(p.namn, p.titel, p.datum, field_name(n))
            for n, p in enumerate(persons, 1)]


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _resource(parent: etree._Element, namespace: str,
              values: Iterable[tuple[str, str]]) -> etree._Element:
    """An rdf:li holding a structure: one child element per (name, text)."""
    item = etree.SubElement(parent, _q(RDF, "li"), {_q(RDF, "parseType"): "Resource"})
    for name, text in values:
        etree.SubElement(item, _q(namespace, name)).text = text
    return item


def _seq(parent: etree._Element, kind: str = "Seq") -> etree._Element:
    return etree.SubElement(parent, _q(RDF, kind))


def _extension_schema() -> etree._Element:
    """The PDF/A extension schema that declares the attestation property (ISO 19005-2 6.6.2.3)."""
    nsmap = {"pdfaExtension": PDFA_EXTENSION, "pdfaSchema": PDFA_SCHEMA,
             "pdfaProperty": PDFA_PROPERTY, "pdfaType": PDFA_TYPE, "pdfaField": PDFA_FIELD,
             "rdf": RDF}
    description = etree.Element(_q(RDF, "Description"), {_q(RDF, "about"): ""}, nsmap=nsmap)
    schemas = _seq(etree.SubElement(description, _q(PDFA_EXTENSION, "schemas")), "Bag")
    schema = _resource(schemas, PDFA_SCHEMA, [("schema", "utlatande: attestering"),
                                               ("namespaceURI", NAMESPACE),
                                               ("prefix", PREFIX)])
    properties = _seq(etree.SubElement(schema, _q(PDFA_SCHEMA, "property")))
    _resource(properties, PDFA_PROPERTY, [
        ("name", "Attestering"), ("valueType", "Seq Attestant"), ("category", "external"),
        ("description", "De personer som ska godkänna dokumentet digitalt")])
    _resource(properties, PDFA_PROPERTY, [
        ("name", "Profil"), ("valueType", "Text"), ("category", "internal"),
        ("description", "Profilen som dokumentet byggdes med; dess förtroenderötter gäller")])
    types = _seq(etree.SubElement(schema, _q(PDFA_SCHEMA, "valueType")))
    kind = _resource(types, PDFA_TYPE, [("type", "Attestant"), ("namespaceURI", NAMESPACE),
                                        ("prefix", PREFIX),
                                        ("description", "En person på attesteringslistan")])
    fields = _seq(etree.SubElement(kind, _q(PDFA_TYPE, "field")))
    for name, value_type, text in _FIELDS:
        _resource(fields, PDFA_FIELD, [("name", name), ("valueType", value_type),
                                       ("description", text)])
    return description


def _list_description(approvers: list[Approver], profile: str | None) -> etree._Element:
    description = etree.Element(_q(RDF, "Description"), {_q(RDF, "about"): ""},
                                nsmap={PREFIX: NAMESPACE, "rdf": RDF})
    if profile:
        etree.SubElement(description, _q(NAMESPACE, "Profil")).text = profile
    items = _seq(etree.SubElement(description, _q(NAMESPACE, "Attestering")))
    for approver in approvers:
        values = [("Namn", approver.namn)]
        if approver.titel:
            values.append(("Titel", approver.titel))
        if approver.datum:
            values.append(("Datum", approver.datum.isoformat()))
        values.append(("Falt", approver.fält))
        _resource(items, NAMESPACE, values)
    return description


def with_attestation_list(xmp: bytes, approvers: list[Approver],
                          profile: str | None = None) -> bytes:
    """The XMP packet `xmp` with the attestation list (and the profile that built the PDF)
    and their extension schema added."""
    parser = etree.XMLParser(remove_blank_text=False, resolve_entities=False, no_network=True)
    root = etree.fromstring(xmp, parser)
    rdf = root.find(f".//{_q(RDF, 'RDF')}")
    if rdf is None:
        raise ValueError("XMP-metadatan saknar rdf:RDF")
    for old in rdf.findall(f"{_q(RDF, 'Description')}/{_q(NAMESPACE, 'Attestering')}/.."):
        rdf.remove(old)
    rdf.append(_extension_schema())
    rdf.append(_list_description(approvers, profile))
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=False)


def _parsed(xmp: bytes | None) -> etree._Element | None:
    """An XMP packet's root element; None when there is no packet or it is no XML."""
    if not xmp:
        return None
    try:
        return etree.fromstring(xmp, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None


def read_attestation_list(xmp: bytes | None) -> list[Approver] | None:
    """The attestation list in an XMP packet; None when the PDF carries none."""
    root = _parsed(xmp)
    if root is None:
        return None
    found = root.find(f".//{_q(NAMESPACE, 'Attestering')}")
    if found is None:
        return None
    approvers = []
    for item in found.iterfind(f"{_q(RDF, 'Seq')}/{_q(RDF, 'li')}"):
        values = _properties(item)
        try:
            datum = dt.date.fromisoformat(values.get("Datum", ""))
        except ValueError:
            datum = None
        if values.get("Namn") and values.get("Falt"):
            approvers.append(Approver(values["Namn"], values.get("Titel"), datum,
                                      values["Falt"]))
    return approvers


def read_profile(xmp: bytes | None) -> str | None:
    """The profile an XMP packet names as the one the PDF was built with."""
    root = _parsed(xmp)
    if root is None:
        return None
    for holder in root.iter(_q(RDF, "Description")):
        value = holder.get(_q(NAMESPACE, "Profil")) or holder.findtext(_q(NAMESPACE, "Profil"))
        if value and value.strip():
            return value.strip()
    return None


def _properties(item: etree._Element) -> dict[str, str]:
    """A structure's fields, written as child elements or, in RDF's short form (as pyHanko
    rewrites the packet when it signs), as attributes of an rdf:Description."""
    holders = [item, *item.iterfind(_q(RDF, "Description"))]
    values: dict[str, str] = {}
    for holder in holders:
        for name, value in holder.attrib.items():
            if name.startswith(f"{{{NAMESPACE}}}") and value.strip():
                values[name.split("}", 1)[1]] = value.strip()
        for child in holder:
            if isinstance(child.tag, str) and child.tag.startswith(f"{{{NAMESPACE}}}") \
                    and (child.text or "").strip():
                values[child.tag.split("}", 1)[1]] = child.text.strip()
    return values


def normalised_name(name: str) -> str:
    """A name as compared: Unicode NFC, case folded, one space between words."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def names_in_subject(common_name: str | None, given_name: str | None,
                     surname: str | None) -> list[str]:
    """The names a certificate's subject gives its holder: the common name, given + surname."""
    names = [common_name] if common_name and common_name.strip() else []
    if given_name and surname:
        names.append(f"{given_name} {surname}")
    return names


def approver_for(names: list[str], approvers: list[Approver]) -> Approver | None:
    """The approver whose name is one of a certificate's `names`, if any."""
    wanted = {normalised_name(name) for name in names}
    for approver in approvers:
        if normalised_name(approver.namn) in wanted:
            return approver
    return None


def certificate_names(certificate) -> list[str]:
    """The names an (asn1crypto) certificate's subject gives its holder."""
    subject = certificate.subject.native
    return names_in_subject(subject.get("common_name"), subject.get("given_name"),
                            subject.get("surname"))


def first_revision_xmp(reader) -> bytes | None:
    """The XMP packet of a PDF (a pyHanko PdfFileReader) as it was built.

    Read from the first revision, the one every signature covers: a later incremental
    update may rewrite the XMP metadata without breaking a signature, so the packet in
    the newest revision proves nothing.
    """
    try:
        metadata = reader.get_historical_root(0).get("/Metadata")
        return metadata.get_object().data if metadata else None
    except Exception:  # noqa: BLE001 - an unreadable packet is the same as none
        return None


def attestation_list(reader) -> list[Approver] | None:
    """The attestation list of a PDF (a pyHanko PdfFileReader) as it was built."""
    return read_attestation_list(first_revision_xmp(reader))


def signed_fields(reader) -> set[str]:
    """Names of the signature fields that already hold a signature."""
    return {signature.field_name for signature in reader.embedded_signatures}


def quiet_pyhanko() -> None:
    """pyHanko and its certificate validator log every failed check with a traceback;
    what went wrong is reported in Swedish instead, so their records go nowhere."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
