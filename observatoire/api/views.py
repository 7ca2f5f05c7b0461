"""Pages around the API: its documentation (from the OpenAPI document, served here, no CDN),
the list of frozen releases and the download of a release's archive."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.http import require_GET

from .examples import EXAMPLES
from .models import Release
from .texts import DOCS


def _operations(schema: dict, language: str) -> list[dict]:
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter["in"],
                            "description": parameter.get("description")
                            or parameter.get("schema", {}).get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                }
            )
    return operations


@require_GET
def docs(request, language="fr"):
    from .api import api

    with translation.override(language):
        schema = api.get_openapi_schema(path_prefix="/api/v1")
        context = {
            "text": DOCS[language],
            "language": language,
            "examples": [(example, getattr(example, language)) for example in EXAMPLES],
            "operations": _operations(schema, language),
            "LANGUAGE_CODE": language,
        }
        response = render(request, "api/docs.html", context)
    response["Content-Language"] = language
    return response


def releases(request):
    context = {"releases": Release.objects.select_related("edition")}
    return render(request, "api/releases.html", context)


def archive(request, slug):
    release = get_object_or_404(Release, slug=slug)
    response = FileResponse(
        release.archive.open("rb"),
        as_attachment=True,
        filename=f"{release.slug}.zip",
        content_type="application/zip",
    )
    # Never altered: a visitor's copy with this checksum is the release.
    response["ETag"] = f'"{release.checksum}"'
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
