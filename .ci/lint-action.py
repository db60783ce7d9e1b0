#!/usr/bin/env python3
"""Prints a composite action's metadata file as a workflow that actionlint
can check (actionlint reads only workflows).

The steps keep their line numbers, so actionlint's positions point into the
action file: every line before `runs.steps` becomes blank or part of a small
header that declares the action's inputs as workflow_dispatch inputs. Only
composite actions written with two-space indentation (`runs:` then
`  steps:`) are supported; anything else is an error, not a silent pass.

Usage: lint-action.py ACTION_YML | actionlint -stdin-filename ACTION_YML -
"""
import re
import sys


def main(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    inputs, section = [], None
    steps_at = None
    for i, line in enumerate(lines):
        top = re.match(r"^([A-Za-z_-]+):", line)
        if top:
            section = top.group(1)
            continue
        if section == "inputs":
            m = re.match(r"^  ([A-Za-z0-9_-]+):\s*$", line)
            if m:
                inputs.append(m.group(1))
        if section == "runs" and re.match(r"^  steps:\s*$", line):
            steps_at = i
            break
    if steps_at is None:
        sys.exit(f"{path}: no `runs:` / `  steps:` block (is it a composite action?)")
    for i, line in enumerate(lines[steps_at + 1 :], start=steps_at + 1):
        if re.match(r"^\S", line):
            sys.exit(f"{path}:{i + 1}: a top-level key after runs.steps is not supported")

    header = ["on:", "  workflow_dispatch:", "    inputs:"]
    header += [f"      {name}: {{ type: string }}" for name in inputs]
    if not inputs:
        header.pop()
    header += ["jobs:", "  action:", "    runs-on: ubuntu-latest", "    steps:"]
    if len(header) > steps_at + 1:
        sys.exit(f"{path}: too few lines before runs.steps to keep line numbers")
    # Composite steps sit at two spaces under `  steps:`; a job's `    steps:`
    # accepts a sequence at its own indentation, so the steps stay verbatim.
    out = [""] * (steps_at + 1 - len(header)) + header + lines[steps_at + 1 :]
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
