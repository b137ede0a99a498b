"""The web app: pages with the company's name, the widget's files and config, /reps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.ops.launcher import Stack, local_site_settings, site_origins
from bot.settings import load_settings
from bot.web import app as web_app


@pytest.fixture()
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings from defaults only (no .env), with a recognisable company."""
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "no.env"))
    return load_settings(company_name="Acme <Desk>", assistant_name="Robin",
                         rasa_public_url="http://chat.example.com:5005/")


@pytest.fixture()
def client(settings) -> TestClient:
    return TestClient(web_app.create_app(settings))


@pytest.mark.parametrize("path", ["/", "/pricing", "/product"])
def test_every_page_names_the_company_escaped_and_embeds_the_widget(client: TestClient,
                                                                    path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert "Acme &lt;Desk&gt;" in response.text and "Acme <Desk>" not in response.text
    assert '<script src="/widget/config.js"></script>' in response.text
    assert '<script src="/widget/widget.js" defer></script>' in response.text
    assert f'href="{path}" aria-current="page"' in response.text


def test_config_js_carries_the_public_settings_and_cannot_close_its_script(settings):
    hostile = settings.model_copy(update={"assistant_name": "</script><b>x"})
    script = web_app.config_script(hostile)
    assert "</script>" not in script
    payload = script.split("Object.assign(", 1)[1].rsplit(", window.LeadbotConfig", 1)[0]
    config = json.loads(payload)
    assert config["assistantName"] == "</script><b>x"
    assert web_app.widget_config(settings)["socketUrl"] == "http://chat.example.com:5005"


def test_config_js_is_javascript_and_never_cached(client: TestClient):
    response = client.get("/widget/config.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-store"
    assert '"companyName": "Acme <Desk>"' in response.text


def test_widget_assets_and_the_vendored_socket_io_are_served(client: TestClient):
    for path in ("/widget/widget.js", "/widget/widget.css", "/site/site.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-cache"
    vendored = web_app.WEB_ROOT / "node_modules" / "socket.io-client" / "dist"
    if not (vendored / "socket.io.min.js").is_file():
        pytest.skip("web/node_modules is not installed (npm ci)")
    response = client.get("/widget/socket.io.min.js")
    assert response.status_code == 200
    assert "Socket.IO v4" in response.text[:200]


def test_a_missing_vendored_file_says_how_to_install_it(settings, tmp_path: Path):
    root = tmp_path / "web"
    (root / "pages").mkdir(parents=True)
    (root / "widget").mkdir()
    (root / "site").mkdir()
    response = TestClient(web_app.create_app(settings, web_root=root)).get(
        "/widget/socket.io.min.js")
    assert response.status_code == 503
    assert "npm ci" in response.text


def test_the_rep_pages_are_mounted_under_reps(settings, monkeypatch: pytest.MonkeyPatch):
    async def hello(request):
        from starlette.responses import PlainTextResponse
        return PlainTextResponse("rep page")

    monkeypatch.setattr(web_app.reps, "routes", lambda _settings: [Route("/", hello)])
    response = TestClient(web_app.create_app(settings)).get("/reps/")
    assert response.status_code == 200 and response.text == "rep page"


def test_health_and_unknown_paths(client: TestClient):
    assert client.get("/healthz").text == "ok"
    assert client.get("/nope").status_code == 404


def test_a_stack_with_the_site_allows_its_origins_and_points_the_widget_at_rasa(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "no.env"))
    plain = load_settings(rasa_port=6100, web_port=8100)
    stack = Stack(plain, with_web=True)
    assert stack.settings.rasa_public_url == "http://127.0.0.1:6100"
    assert stack.settings.public_url == "http://127.0.0.1:8100"
    assert stack.web_url == "http://127.0.0.1:8100"
    origins = stack.cors_origins()
    assert origins[:2] == plain.cors_origins.split()
    assert {"http://127.0.0.1:8100", "http://localhost:8100"} <= set(origins)
    # without the site, nothing changes for the existing callers
    assert Stack(plain).cors_origins() == plain.cors_origins.split()
    assert Stack(plain).settings is plain
    # explicit public URLs are kept, and a public site origin is allowed
    explicit = load_settings(public_url="https://www.example.com/", web_host="0.0.0.0",  # noqa: S104
                             rasa_public_url="https://chat.example.com")
    assert local_site_settings(explicit) == explicit
    assert "https://www.example.com" in site_origins(explicit)
