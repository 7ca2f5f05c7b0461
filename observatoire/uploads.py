"""Saving uploaded files: a full disk or a read-only media folder is a message, not a 500."""

import errno
import logging

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
