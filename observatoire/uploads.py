"""Saving uploaded files: a full disk or a read-only media folder is a message, not a 500."""

import errno
import logging

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def storage_error_message(error: OSError) -> str:
    """What staff see when the server could not write an uploaded file; the error is logged."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        cause = _("espace disque plein")
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        cause = _("dossier en lecture seule")
    else:
        cause = _("dossier des fichiers inutilisable (%(error)s)") % {
            "error": error.strerror or error
        }
    logger.error("Upload could not be stored: %s", error, exc_info=error)
    return _("Le fichier n'a pas pu être enregistré : %(cause)s ; prévenez l'administrateur.") % {
        "cause": cause
    }


STORAGE_ERRORS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.ENOTDIR,
    errno.ENOENT,
}


class UploadStorageErrorMiddleware:
    """Any other upload in the admin (Wagtail images and documents...): when the storage
    refuses the file, the page comes back with the message instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (
            isinstance(exception, OSError)
            and exception.errno in STORAGE_ERRORS
            and request.method == "POST"
            and request.FILES
            and request.path.startswith("/admin/")
        ):
            return None
        message = storage_error_message(exception)
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's multiple upload shows `error_message` next to the file.
            return JsonResponse({"success": False, "error_message": message})
        messages.error(request, message)
        return redirect(request.get_full_path())
