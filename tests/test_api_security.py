"""Security headers on every answer, and the Host allow-list that keeps a DNS-rebound web page
from reading a local server: with Flask's client, over real HTTP, and in headless Chromium."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from api_fixtures import assert_problem

from api.app import allowed_hosts, create_app, host_allowed
from api.server import running_server

EVERY_KIND_OF_ANSWER = ["/api/v1/health", "/api/v1/entities/atlantis", "/api/v1/nothing",
                        "/api/docs", "/api/v1/rdf/ontology", "/api/v1/openapi.json", "/"]


@pytest.mark.parametrize("path", EVERY_KIND_OF_ANSWER)
def test_every_answer_has_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "script-src" not in csp and "'unsafe-eval'" not in csp


def test_docs_page_may_load_and_run_nothing(client):
    csp = client.get("/api/docs").headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none';")
    assert "unsafe-inline" not in csp  # its one <style> is allowed by hash


def test_docs_page_is_styled_under_its_policy_in_chromium(browser, app):
    with running_server(app, threads=2) as url:
        page = browser.new_page()
        violations = []
        page.on("console", lambda m: violations.append(m.text)
                if "Content Security Policy" in m.text else None)
        try:
            page.goto(f"{url}/api/docs")
            width = page.evaluate("getComputedStyle(document.body).maxWidth")
            color = page.evaluate(
                "getComputedStyle(document.querySelector('.method')).fontWeight")
        finally:
            page.close()
    assert width == "960px" and color == "700"  # 60rem, bold: the inline style applied
    assert violations == []


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000",
                                  "LOCALHOST.", "127.0.0.1"])
def test_local_hosts_are_answered(client, host):
    assert client.get("/api/v1/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["rebind.example", "rebind.example:8000", "127.0.0.1.nip.io",
                                  "localhost.evil.example", "10.0.0.5:8000"])
def test_other_hosts_are_refused_on_every_route(client, host):
    for path in ("/api/v1/health", "/", "/api/v1/nothing"):
        body = assert_problem(client.get(path, headers={"Host": host}), 400, "host-not-allowed")
        assert host.split(":")[0] in body["detail"]


def test_allowed_hosts_come_from_the_bind_address_and_the_option(backend):
    hosts = allowed_hosts("0.0.0.0", ["graph.example.org"])
    assert host_allowed("graph.example.org:443", hosts)
    assert host_allowed("192.168.1.20:8000", hosts)  # an address cannot be rebound
    assert host_allowed("[fe80::1]:8000", hosts)
    assert not host_allowed("rebind.example", hosts)
    assert not host_allowed("192.168.1.20:8000", allowed_hosts("127.0.0.1"))
    assert host_allowed("anything.example", allowed_hosts("127.0.0.1", ["*"]))
    named = create_app(backend, config={"ALLOWED_HOSTS": allowed_hosts("127.0.0.1",
                                                                       ["graph.example.org"])})
    assert named.test_client().get(
        "/api/v1/health", headers={"Host": "graph.example.org"}).status_code == 200


def test_foreign_host_is_refused_over_http(app):
    with running_server(app, threads=2) as url:
        parts = urlsplit(url)
        for host, status in ((f"rebind.example:{parts.port}", 400),
                             (f"127.0.0.1:{parts.port}", 200), (f"localhost:{parts.port}", 200)):
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            try:
                connection.putrequest("GET", "/api/v1/health", skip_host=True)
                connection.putheader("Host", host)
                connection.endheaders()
                response = connection.getresponse()
                body = response.read()
            finally:
                connection.close()
            assert response.status == status, body
            if status == 400:
                assert response.headers["Content-Type"] == "application/problem+json"
                assert json.loads(body)["type"].endswith("/host-not-allowed")
