"""Calling a robot's webhook: 钉钉's 加签 signature, the HTTP call, and reading its answer.

Both vendors answer HTTP 200 with {"errcode": 0} on success and a non-zero errcode (e.g. over
the rate limit, a bad signature) otherwise: anything else is a failure to retry.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request


class RobotError(Exception):
    """The robot did not take the message; the text says why (kept on the delivery)."""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: Base64(HMAC-SHA256(key=secret, message=f"{timestamp}\\n{secret}")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def signed_url(url: str, secret: str | None, now_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"


def post(url: str, body: dict, timeout: float) -> None:
    """POST the JSON; raise RobotError unless the robot answers errcode 0."""
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            answer = resp.read(65536)
    except urllib.error.HTTPError as error:
        raise RobotError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise RobotError(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from None
    try:
        errcode = json.loads(answer).get("errcode")
    except (ValueError, AttributeError):
        raise RobotError("not a JSON answer") from None
    if errcode != 0:
        raise RobotError(f"errcode {errcode}: {answer[:200].decode(errors='replace')}")
