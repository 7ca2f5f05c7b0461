"""The HTTP manners of /api/: CORS for reads, a rate limit per visitor, validators and 304s,
and every error as a problem document, whatever raised it (our views, Ninja or Django).

A tiny middleware rather than django-cors-headers: the API is read-only and open to every
origin, so there is no list of origins to manage, only three headers to add.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe

from observatoire.ratelimit import count_hit

from .http import PROBLEM_TYPE, problem

PREFIX = "/api/"
WINDOW = 60  # seconds
READ_METHODS = ("GET", "HEAD", "OPTIONS")
EXPOSED = "ETag, Last-Modified, Link, Retry-After"
TITLES = {
    400: "Requête invalide",
    404: "Introuvable",
    405: "Méthode non permise",
    422: "Paramètres invalides",
    500: "Erreur du serveur",
}


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED
    return response


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
            return _cors(response)
        limit = settings.API_RATE_LIMIT
        # Counted in the shared database cache: the limit holds across processes and hosts.
        if limit and count_hit("api", request, window=WINDOW) > limit:
            response = problem(
                429,
                "Trop de requêtes",
                f"Au plus {limit} requêtes par minute et par visiteur ; réessayez plus tard.",
            )
            response["Retry-After"] = str(WINDOW)
            return _cors(response)
        if request.method not in READ_METHODS:
            response = problem(405, TITLES[405], "L'API est en lecture seule.")
            response["Allow"] = ", ".join(READ_METHODS)
            return _cors(response)
        head = request.method == "HEAD"
        if head:  # answered as the GET it stands for, without the body
            request.method = "GET"
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            PROBLEM_TYPE
        ):
            response = self._as_problem(response)
        elif response.status_code == 200 and not response.streaming:
            response = self._conditional(request, response)
        if head and not response.streaming:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return _cors(response)

    @staticmethod
    def _as_problem(response):
        status = response.status_code
        title = TITLES.get(status, "Erreur")
        detail = ""
        if response.get("Content-Type", "").startswith("application/json"):
            import json

            try:
                body = json.loads(response.content)
            except ValueError:
                body = {}
            detail = body.get("detail", "")
            if not isinstance(detail, str):  # Ninja's validation errors: a list of dicts
                return problem(status, title, "Paramètres invalides.", errors=detail)
        return problem(status, title, detail)

    @staticmethod
    def _conditional(request, response):
        if not response.has_header("ETag"):
            response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        patch_cache_control(response, public=True, max_age=60)
        patch_vary_headers(response, ("Accept-Language",))
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )
