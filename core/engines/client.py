"""The one place Segue builds an Anthropic client: real API, a gateway, or the demo simulator."""

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


def make_client(endpoint: Endpoint, max_retries: int = 2):
    """An AsyncAnthropic for `endpoint`. The SDK retries 429/529 before a stream starts."""
    from anthropic import AsyncAnthropic

    return AsyncAnthropic(api_key=endpoint.api_key, base_url=endpoint.base_url, max_retries=max_retries)
