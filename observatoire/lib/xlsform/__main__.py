"""Check XLSForm files from the command line.

    .venv/bin/python -m observatoire.lib.xlsform FILE.xlsx [FILE.xlsx ...]

Prints each problem (sheet, row, column, message) and exits with status 1 if any file has one.
"""

from __future__ import annotations

import argparse
import sys

from . import XLSFormError, parse_xlsform


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m observatoire.lib.xlsform")
    parser.add_argument("files", nargs="+", help="XLSForm workbooks (.xlsx) to check")
    arguments = parser.parse_args(argv)
    status = 0
    for path in arguments.files:
        try:
            form = parse_xlsform(path)
        except XLSFormError as error:
            status = 1
            sys.stdout.write(f"{path} : {len(error.errors)} problème(s)\n")
            sys.stdout.writelines(f"  {problem}\n" for problem in error.errors)
        except OSError as error:
            status = 1
            sys.stdout.write(f"{path} : {error}\n")
        else:
            questions = len(form.questions())
            sys.stdout.write(
                f"{path} : OK — {form.form_id} version {form.version}, "
                f"{len(form.pages)} pages, {questions} questions\n"
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
