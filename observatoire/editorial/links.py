"""Checking the resources' links: one HTTP request per address, status and date recorded."""

import urllib.error
import urllib.request
from http.client import HTTPException

USER_AGENT = "Observatoire-link-checker/1.0 (civic tech observatory resource page)"
# Servers that refuse HEAD often answer GET properly.
RETRY_WITH_GET = {403, 405, 501}


def check_link(url: str, *, timeout: float) -> tuple[int | None, str]:
    """(HTTP status after redirects, "") or (None, why the request failed)."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, ""
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in RETRY_WITH_GET:
                continue
            return error.code, str(error.reason or "")
        except urllib.error.URLError as error:
            return None, str(error.reason)
        except (TimeoutError, HTTPException, OSError, ValueError) as error:
            return None, f"{type(error).__name__}: {error}"
    return None, "no answer"
