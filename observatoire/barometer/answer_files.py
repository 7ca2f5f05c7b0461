"""Files respondents upload to `image` and `file` questions: checked, then stored privately.

The files are kept under BAROMETER_UPLOADS_ROOT, outside MEDIA_ROOT, so no public URL serves
them: `views.respond_file` and `views.staff_file` hand them to the territory's own respondent
and to staff only, as attachments. A file is checked by its content, not by its name: a
renamed executable is not a PDF. Deleting a response deletes its files (GDPR: a response's
files go with it), and so does replacing or removing the answer.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _


@deconstructible
class PrivateStorage(FileSystemStorage):
    """The uploads folder, read from the setting at each use (tests override it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self):
        return settings.BAROMETER_UPLOADS_ROOT

    @property
    def location(self):
        return str(Path(settings.BAROMETER_UPLOADS_ROOT).resolve())

    @property
    def base_url(self):
        return None  # never served by URL: see views.respond_file


private_storage = PrivateStorage()

# What each kind of content is, as named in BAROMETER_UPLOAD_TYPES and in the messages.
IMAGE_FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {
    "jpeg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
    "gif": ("image/gif", ".gif"),
    "webp": ("image/webp", ".webp"),
    "pdf": ("application/pdf", ".pdf"),
    "odt": ("application/vnd.oasis.opendocument.text", ".odt"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "csv": ("text/csv", ".csv"),
    "txt": ("text/plain", ".txt"),
}
IMAGE_KINDS = frozenset(IMAGE_FORMATS.values())


@dataclass
class CheckedFile:
    name: str  # the name the person gave, without any folder
    kind: str  # a key of CONTENT_TYPES
    content: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind][0]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class FileRefused(ValueError):
    """The message shown at the question."""


def detect_kind(content: bytes) -> str | None:
    """What the bytes are (a key of CONTENT_TYPES), whatever the file is called."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    image = _image_kind(content)
    if image:
        return image
    return _text_kind(content)


def _image_kind(content: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = IMAGE_FORMATS.get(image.format or "")
            image.verify()  # a truncated or corrupt image is refused
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return kind


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return {
                    CONTENT_TYPES["odt"][0]: "odt",
                    CONTENT_TYPES["ods"][0]: "ods",
                }.get(mimetype)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def _text_kind(content: bytes) -> str | None:
    if b"\x00" in content:
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    first = text.split("\n", 1)[0]
    return "csv" if ("," in first or ";" in first) and "\n" in text else "txt"


def allowed_kinds(question_type: str) -> list[str]:
    kinds = [k for k in settings.BAROMETER_UPLOAD_TYPES if k in CONTENT_TYPES]
    if question_type == "image":
        return [k for k in kinds if k in IMAGE_KINDS]
    return kinds


def accept_attribute(question_type: str) -> str:
    """The `accept` attribute of the file input: a hint to the browser, checked again here."""
    kinds = allowed_kinds(question_type)
    return ",".join(
        sorted({CONTENT_TYPES[k][1] for k in kinds} | {CONTENT_TYPES[k][0] for k in kinds})
    )


def check_upload(upload, question_type: str) -> CheckedFile:
    """The uploaded file if it is within the size limit and of an allowed kind; else
    FileRefused with the message for the person."""
    limit = settings.BAROMETER_UPLOAD_MAX_MB * 1024 * 1024
    if upload.size > limit:
        raise FileRefused(
            _("Fichier trop volumineux (%(size).1f Mo) : %(max)d Mo au plus.")
            % {"size": upload.size / 1024 / 1024, "max": settings.BAROMETER_UPLOAD_MAX_MB}
        )
    content = upload.read(limit + 1)
    if not content:
        raise FileRefused(_("Le fichier envoyé est vide."))
    kind = detect_kind(content)
    allowed = allowed_kinds(question_type)
    if kind not in allowed:
        what = _("une image") if question_type == "image" else _("un fichier")
        raise FileRefused(
            _(
                "Ce fichier n'est pas %(what)s d'un type accepté (son contenu est vérifié, pas "
                "seulement son nom) : types acceptés : %(types)s."
            )
            % {"what": what, "types": ", ".join(k.upper() for k in allowed)}
        )
    name = Path(str(upload.name or "fichier").replace("\\", "/")).name[:200] or "fichier"
    return CheckedFile(name=name, kind=kind, content=content)


def storage_error(error: OSError) -> str:
    from observatoire.uploads import storage_error_message

    return storage_error_message(error)


class AnswerFiles:
    """The files posted with one page: checked before anything is saved, stored before the
    answers that name them, discarded if the save fails, and the replaced or removed files of
    the page deleted once it succeeded."""

    def __init__(self, form, page: str, keys: list[str]) -> None:
        self.form, self.page, self.keys = form, page, keys
        self.checked: dict[str, CheckedFile] = {}
        self.errors: dict[str, str] = {}
        self.created: list = []

    @classmethod
    def from_request(cls, request, form, page: str) -> AnswerFiles:
        from . import survey

        questions = {q.name: q for q in survey.file_questions(form, page)}
        shown = (request.POST.get(survey.SHOWN_FIELD) or "").split()
        keys = [key for key in shown if key.rsplit("/", 1)[-1] in questions]
        files = cls(form, page, keys)
        for key in keys:
            upload = request.FILES.get(key)
            if upload is None:
                continue
            try:
                files.checked[key] = check_upload(upload, questions[key.rsplit("/", 1)[-1]].type)
            except FileRefused as refused:
                files.errors[key] = str(refused)
        return files

    def store(self, response) -> None:
        from django.core.files.base import ContentFile

        from .models import ResponseFile

        for key, checked in self.checked.items():
            stored = ResponseFile(
                response=response,
                key=key,
                name=checked.name,
                content_type=checked.content_type,
                size=len(checked.content),
                sha256=checked.sha256,
            )
            extension = CONTENT_TYPES[checked.kind][1]
            try:
                stored.file.save(f"{checked.sha256[:16]}{extension}", ContentFile(checked.content))
            except OSError:
                self.discard()
                raise
            self.created.append(stored)

    def discard(self) -> None:
        for stored in self.created:
            if stored.pk:
                stored.delete()  # the post_delete signal removes the file
            else:
                stored.file.delete(save=False)
        self.created = []

    def saved(self, response) -> None:
        """After the save: keep, for each file question of the page, only the file its answer
        names (the newest); a removed answer's file goes."""
        from .models import ResponseFile

        kept = {stored.key: stored.pk for stored in self.created}
        for key in self.keys:
            rows = ResponseFile.objects.filter(response=response, key=key)
            if answer_at(response.answers, key):
                newest = kept.get(key) or rows.order_by("-pk").values_list("pk", flat=True).first()
                rows = rows.exclude(pk=newest)
            for stale in rows:
                stale.delete()


def answer_at(answers: dict, key: str):
    """The answer at a path ("photo", "fiche[2]/photo")."""
    head, _sep, rest = key.partition("/")
    if not rest:
        return answers.get(head)
    name, _bracket, number = head.partition("[")
    instances = answers.get(name)
    index = int(number.rstrip("]") or 0) - 1
    if isinstance(instances, list) and 0 <= index < len(instances):
        instance = instances[index]
        return answer_at(instance, rest) if isinstance(instance, dict) else None
    return None
