"""Default messages shown to respondents, French first (the form's own messages take priority)."""

MESSAGES: dict[str, dict[str, str]] = {
    "required": {
        "fr": "Cette question est obligatoire.",
        "en": "This question is required.",
    },
    "constraint": {
        "fr": "Réponse invalide.",
        "en": "Invalid answer.",
    },
    "integer": {
        "fr": "Veuillez saisir un nombre entier.",
        "en": "Please enter a whole number.",
    },
    "decimal": {
        "fr": "Veuillez saisir un nombre.",
        "en": "Please enter a number.",
    },
    "date": {
        "fr": "Veuillez saisir une date valide (AAAA-MM-JJ).",
        "en": "Please enter a valid date (YYYY-MM-DD).",
    },
    "time": {
        "fr": "Veuillez saisir une heure valide (HH:MM).",
        "en": "Please enter a valid time (HH:MM).",
    },
    "datetime": {
        "fr": "Veuillez saisir une date et une heure valides (AAAA-MM-JJ HH:MM).",
        "en": "Please enter a valid date and time (YYYY-MM-DD HH:MM).",
    },
    "range": {
        "fr": "Veuillez choisir une valeur entre {start} et {end}.",
        "en": "Please choose a value between {start} and {end}.",
    },
    "acknowledge": {
        "fr": "Cochez la case pour confirmer.",
        "en": "Tick the box to confirm.",
    },
    "choice": {
        "fr": "Choix inconnu : {value}.",
        "en": "Unknown choice: {value}.",
    },
    "single_choice": {
        "fr": "Une seule réponse est possible.",
        "en": "Only one answer is allowed.",
    },
    "duplicate_choice": {
        "fr": "Le choix {value} est donné plusieurs fois.",
        "en": "The choice {value} is given more than once.",
    },
    "text": {
        "fr": "Veuillez saisir un texte.",
        "en": "Please enter some text.",
    },
    "other": {
        "fr": "Autre",
        "en": "Other",
    },
    "specify_other": {
        "fr": "Précisez :",
        "en": "Specify other.",
    },
    "repeat": {
        "fr": "Cette section doit être une liste de fiches.",
        "en": "This section must be a list of records.",
    },
}


def message(key: str, language: str | None = "fr", **values: str) -> str:
    """A default message in `language` ("fr" or "en", or a form language such as "English (en)")."""
    texts = MESSAGES[key]
    code = (language or "fr").lower()
    if code not in texts:
        code = "en" if "(en" in code or code.startswith("en") else "fr"
    return texts[code].format(**values)
