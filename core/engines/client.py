"""The one place Segue reaches the API from: the endpoint (real API, a gateway or the demo simulator), the SDK client, and the models list without the SDK."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEMO_API_KEY = "sk-ant-demo-not-a-real-key"


@dataclass(frozen=True)
class Endpoint:
    """Where turns go. `demo` means the embedded simulator."""

    base_url: str | None
    api_key: str = field(repr=False)  # never in a log line or a traceback
    demo: bool

    @property
    def label(self) -> str:
        return "DEMO" if self.demo else (self.base_url or "api.anthropic.com")


def real_endpoint(environ: dict[str, str] | None = None) -> Endpoint | None:
    """The endpoint from the SDK's own environment, or None when there is no key."""
    environ = os.environ if environ is None else environ
    key = environ.get("ANTHROPIC_API_KEY", "").strip()
    if not key:
        return None
    return Endpoint(environ.get("ANTHROPIC_BASE_URL") or None, key, demo=False)


def demo_endpoint(base_url: str) -> Endpoint:
    return Endpoint(base_url, DEMO_API_KEY, demo=True)


_sdk_imported = False


def import_sdk() -> None:
    """Import the `anthropic` SDK (idempotent, any thread). It takes most of a second (its
    pydantic types), so the TUI runs it in a worker thread after the input is ready."""
    global _sdk_imported
    import anthropic  # noqa: F401

    _sdk_imported = True


async def sdk_ready() -> None:
    """Return once the SDK is imported, importing it in a thread if needed: the event loop
    (keys, frames) never waits for it. A second caller meanwhile waits on the same import."""
    if not _sdk_imported:
        import asyncio

        await asyncio.to_thread(import_sdk)


def make_client(endpoint: Endpoint, max_retries: int = 2):
    """An AsyncAnthropic for `endpoint`. The SDK retries 429/529 before a stream starts."""
    from anthropic import AsyncAnthropic

    return AsyncAnthropic(api_key=endpoint.api_key, base_url=endpoint.base_url, max_retries=max_retries)


# The API version the installed anthropic SDK sends (anthropic._constants.ANTHROPIC_API_VERSION);
# tests/test_api_contract.py fails when the two part.
ANTHROPIC_VERSION = "2026-10-21"
MODELS_PAGE_SIZE = 100  # the Models API takes 1-1000 per page (default 20)
MODELS_TIMEOUT = 15.0  # seconds per page; meanwhile the cached or bundled table serves


def list_models(endpoint: Endpoint) -> list[dict]:
    """GET /v1/models, every page, as the SDK's `models.list` makes it, without the SDK (blocking).

    The x-api-key and anthropic-version headers (and a gateway's bearer token from
    ANTHROPIC_AUTH_TOKEN, as the SDK reads it); `limit`, then `after_id` = the page's `last_id`
    while `has_more`. Base URL as the SDK's: the endpoint's, else ANTHROPIC_BASE_URL, else the
    API. Proxies come from the environment; TLS trusts the OS store, as the SDK's HTTP client does.
    Raises on a refused request or an answer that is not a list of models.
    """
    import json
    import urllib.parse
    import urllib.request

    base_url = (endpoint.base_url or os.environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com").rstrip("/")
    headers = {"x-api-key": endpoint.api_key, "anthropic-version": ANTHROPIC_VERSION, "accept": "application/json"}
    token = os.environ.get("ANTHROPIC_AUTH_TOKEN")
    if token:
        headers["authorization"] = f"Bearer {token}"
    tls = [urllib.request.HTTPSHandler(context=_tls_context())] if base_url.startswith("https:") else []
    opener = urllib.request.build_opener(*tls)
    models: list[dict] = []
    query: dict[str, object] = {"limit": MODELS_PAGE_SIZE}
    while True:
        request = urllib.request.Request(f"{base_url}/v1/models?{urllib.parse.urlencode(query)}", headers=headers)
        with opener.open(request, timeout=MODELS_TIMEOUT) as response:  # an HTTP error status raises
            page = json.loads(response.read())
        data = page.get("data") if isinstance(page, dict) else None
        if not isinstance(data, list):
            raise ValueError("the Models API answered without a list of models")
        models.extend(model for model in data if isinstance(model, dict))
        last_id = page.get("last_id")
        if not page.get("has_more") or not data or not isinstance(last_id, str):
            return models
        query = {"limit": MODELS_PAGE_SIZE, "after_id": last_id}


def _tls_context():
    """The OS trust store through truststore (what the SDK's HTTP client uses), else Python's default."""
    import ssl

    try:
        import truststore
    except ImportError:
        return ssl.create_default_context()
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def choose_endpoint(demo: bool, *, deferred: bool = False):
    """(endpoint, simulator or None): demo mode when asked or when there is no API key.

    The caller stops the simulator when it is done. `deferred`: only its port is reserved;
    the caller calls `start()` (or `start_in_background()`) on it when the first frame is up.
    """
    endpoint = None if demo else real_endpoint()
    if endpoint is not None:
        return endpoint, None
    if deferred:
        from core.engines.deferred_simulator import DeferredSimulator

        deferred_simulator = DeferredSimulator()
        return demo_endpoint(deferred_simulator.base_url), deferred_simulator
    from core.simulator import Simulator

    simulator = Simulator()
    return demo_endpoint(simulator.start()), simulator


def choose_claude_code_endpoint(demo: bool, endpoint: Endpoint) -> Endpoint:
    """Where Claude Code panes go: the simulator with --demo; else the key when there is one,
    else the user's own Claude Code login (only API panes fall back to demo without a key)."""
    if demo or not endpoint.demo:
        return endpoint
    from core.engines.claude_code_setup import login_endpoint

    return login_endpoint()


def engines_for(engine: str | None) -> dict[str, str] | None:
    """`--engine` sets both panes' engine for this run (settings keep their own per-pane choice)."""
    return None if engine is None else {"plan": engine, "exec": engine}
