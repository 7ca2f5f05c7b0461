"""Questionnaires authored in XLSForm, checked with pyxform, evaluated with XPath 1.0.

    form = parse_xlsform("barometre-2018.xlsx")        # raises XLSFormError(errors=[...])
    form_json = form.to_dict()                         # Form.from_dict(form_json) == form
    evaluation = evaluate(form, answers)               # relevance, calculations, requirement
    errors = validate(form, answers, page="profil")    # {"fiche[1]/etp": "Réponse invalide."}
    data = export_xlsform(form)                        # .xlsx bytes, parses back to the same form

See docs/xlsform.md.
"""

from .engine import (
    Evaluation,
    check_type,
    drop_non_relevant,
    evaluate,
    render_text,
    validate,
)
from .expressions import ExpressionError
from .model import (
    Choice,
    Element,
    Form,
    FormProblem,
    Group,
    Page,
    Question,
    Repeat,
    XLSFormError,
)
from .reader import parse_xlsform
from .writer import export_xlsform

__all__ = [
    "Choice",
    "Element",
    "Evaluation",
    "ExpressionError",
    "Form",
    "FormProblem",
    "Group",
    "Page",
    "Question",
    "Repeat",
    "XLSFormError",
    "check_type",
    "drop_non_relevant",
    "evaluate",
    "export_xlsform",
    "parse_xlsform",
    "render_text",
    "validate",
]
