"""The site's own "page introuvable", in the page's language, with DEBUG on as well.

With DEBUG, Django answers an `Http404` with its technical page (in English, listing the URL
patterns): a newcomer running the demo then sees something else than visitors will. This
middleware renders 404.html for every `Http404` a view raises, whatever DEBUG says; 500.html
is Django's own handler's (without DEBUG), and the traceback stays for developers with it.
"""

from django.http import Http404
from django.template.response import TemplateResponse


class SiteNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404):
            return None
        response = TemplateResponse(request, "404.html", status=404)
        return response.render()
