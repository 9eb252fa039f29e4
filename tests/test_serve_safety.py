"""The preview stays up and says nothing it should not: odd file names, odd bytes in a
request, half-sent requests, and an answer that points out of the project."""

from __future__ import annotations

import socket
import threading
from urllib.parse import quote

from test_serve import _get, _root, _scaffold, _wait_state, served
from utlatande.preview import server as preview_server


def _raw(url: str, request: bytes) -> bytes:
    """A request sent byte for byte, and the whole response."""
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_any_file_name_is_a_safe_header_and_odd_bytes_are_not_found(tmp_path):
    name = 'Ärende ☃ "ny"\r\nX-Ond: 1.yaml'
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / name).write_text(
        "mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: Ett utlåtande\n", encoding="utf-8")
    with served(tmp_path, f"answers/{name}") as (_, url):
        _wait_state(url, lambda s: s["status"] == "klar")
        status, headers, body = _get(url, f"{_root(url)}/svar/0/pdf")
        assert status == 200 and body.startswith(b"%PDF-")
        stem = name.removesuffix(".yaml")
        assert headers["Content-Disposition"] == (
            "inline; filename=\"Ärende _ _ny___X-Ond: 1.pdf\"".replace("Ä", "_")
            + f"; filename*=UTF-8''{quote(stem + '.pdf', safe='')}")
        assert "X-Ond" not in headers
        host = url.removeprefix("http://").split("/")[0]
        for path, status in ((_root(url).encode() + b"/svar/\xb2/pdf", b"404"),
                             (b"/\xb2" + _root(url).encode()[2:] + b"/svar/0", b"403")):
            response = _raw(url, b"GET " + path + b" HTTP/1.0\r\nHost: " + host.encode()
                            + b"\r\n\r\n")
            assert response.startswith(b"HTTP/1.0 " + status), path
        assert _get(url, f"{_root(url)}/svar/0/lage")[0] == 200  # still up


def test_an_answer_pointing_out_of_the_project_is_not_read(tmp_path):
    (tmp_path / "ute.yaml").write_text("hemlig: rad\n", encoding="utf-8")
    project = tmp_path / "projekt"
    (project / "answers").mkdir(parents=True)
    (project / "answers" / "x.yaml").symlink_to(tmp_path / "ute.yaml")
    with served(project, "answers/x.yaml") as (_, url):
        state = _wait_state(url, lambda s: bool(s["problems"]))
        assert state["problems"] == [
            "answers/x.yaml:1:1: fel: svarsfilen är en länk till en fil utanför projektet; "
            "förhandsgranskningen visar bara projektets filer [serve.utanför]"]
        assert "hemlig" not in str(state)


def test_a_half_sent_request_does_not_hold_its_thread(tmp_path, monkeypatch):
    answer = _scaffold(tmp_path)
    monkeypatch.setattr(preview_server.Handler, "timeout", 1)
    server = preview_server.start([answer], tmp_path, 0, lambda line: None)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=60) as half:
            half.sendall(f"GET {server.root}/svar/0 HTTP/1.1\r\nHost: 127.0.0.1".encode())
            assert half.recv(1024) == b""  # the server closed it, instead of waiting on
    finally:
        server.shutdown()
        thread.join()
        preview_server.stop(server)
    assert server.request_queue_size >= 64


def test_a_fifo_or_a_symlink_loop_is_refused_and_the_other_answers_are_shown(tmp_path):
    import os

    _scaffold(tmp_path)
    os.mkfifo(tmp_path / "answers" / "fifo.yaml")
    (tmp_path / "answers" / "loop.yaml").symlink_to("loop.yaml")
    with served(tmp_path) as (_, url):  # every answers/*.yaml: fifo, loop, x
        fifo = _wait_state(url, lambda s: bool(s["problems"]), 0)
        assert fifo["problems"] == [
            "answers/fifo.yaml:1:1: fel: filen är en namngiven pipe (FIFO), ingen vanlig fil; "
            "den läses inte [fil.inte_vanlig]"]
        loop = _wait_state(url, lambda s: bool(s["problems"]), 1)
        assert loop["problems"] == [
            "answers/loop.yaml:1:1: fel: filen kan inte läsas (en symbolisk länk som pekar på "
            "sig själv, i en cirkel) [fil.oläsbar]"]
        assert _wait_state(url, lambda s: s["status"] == "klar", 2)["problems"] == []
