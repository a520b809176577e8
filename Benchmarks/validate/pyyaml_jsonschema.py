#!/usr/bin/env python3
"""The PyYAML + jsonschema baseline for the `nalabo validate` benchmark.

    pyyaml_jsonschema.py SCHEMA.json PATH...

PATH is a file, or a directory searched for *.yaml / *.yml. Each file is loaded with
yaml.load(..., Loader=yaml.CSafeLoader) (libyaml's C scanner and parser, Python objects) and validated
against SCHEMA with jsonschema's Draft202012Validator, collecting every error (iter_errors), as
nalabo collects every diagnostic. This is what a team would write in Python to do the same job.
Prints "files=N bytes=N errors=N" on stdout.
"""

import json
import os
import sys

import jsonschema
import yaml


def files_under(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for n in sorted(names):
                    if n.endswith((".yaml", ".yml")):
                        yield os.path.join(root, n)
        else:
            yield p


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: pyyaml_jsonschema.py SCHEMA.json PATH...")
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        sys.exit("PyYAML was built without libyaml (no yaml.CSafeLoader)")
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    n_files = n_bytes = n_errors = 0
    for path in files_under(sys.argv[2:]):
        with open(path, "rb") as f:
            data = f.read()
        n_files += 1
        n_bytes += len(data)
        try:
            doc = yaml.load(data, Loader=loader)
        except yaml.YAMLError as e:
            n_errors += 1
            print(f"{path}: {e}", file=sys.stderr)
            continue
        for _ in validator.iter_errors(doc):
            n_errors += 1
    print(f"files={n_files} bytes={n_bytes} errors={n_errors}")


if __name__ == "__main__":
    main()
