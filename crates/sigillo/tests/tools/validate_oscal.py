"""Validate an OSCAL document against NIST's JSON schema (draft-07).

Usage: validate_oscal.py SCHEMA DOCUMENT
Prints every error (path: message) and exits 1 when the document is invalid.

NIST's patterns use Unicode property escapes (\\p{L}) that Python's `re` lacks, so
`pattern` is evaluated with the `regex` module (Debian: python3-regex); `date-time`,
`uri` and `uri-reference` formats are enforced with small checkers of our own so a
missing optional format library cannot let a bad value through.
"""
import json
import sys
import urllib.parse

import jsonschema
import regex

RFC3339 = regex.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def pattern(validator, patrn, instance, schema):
    if validator.is_type(instance, "string") and not regex.search(patrn, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")


formats = jsonschema.FormatChecker()


@formats.checks("date-time")
def date_time(value):
    return not isinstance(value, str) or bool(RFC3339.match(value))


@formats.checks("uri")
def uri(value):
    return not isinstance(value, str) or bool(urllib.parse.urlparse(value).scheme)


@formats.checks("uri-reference")
def uri_reference(value):
    return not isinstance(value, str) or " " not in value


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    document = json.load(open(sys.argv[2], encoding="utf-8"))
    Validator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": pattern})
    # The schema itself must be valid draft-07; its regexes are checked with `regex` too.
    meta_formats = jsonschema.FormatChecker([])
    meta_formats.checks("regex", raises=regex.error)(regex.compile)
    meta_errors = list(jsonschema.Draft7Validator(Validator.META_SCHEMA, format_checker=meta_formats).iter_errors(schema))
    if meta_errors:
        print("the schema is not valid draft-07: " + meta_errors[0].message[:500])
        sys.exit(2)
    errors = sorted(Validator(schema, format_checker=formats).iter_errors(document), key=lambda e: list(e.path))
    for e in errors:
        print("/".join(str(p) for p in e.path) + ": " + e.message[:500])
    print(f"{len(errors)} errors")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
