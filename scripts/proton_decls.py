#!/usr/bin/env python3
"""List the exported declarations of proton headers: one `name<TAB>declaration` line each.

Reads the given headers (default: /usr/include/proton/<name> for every name in
scripts/api-headers), drops comments and preprocessor lines, and keeps every statement
declared `PN_EXTERN` / `PNX_EXTERN` (functions and `extern const` data objects).
Used by check-symbols.sh (names) and check-headers.sh (prototypes).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXTERN = re.compile(r"\b(PNX?_EXTERN|PNP_EXTERN|PN_TLS_EXTERN)\b")
FUNC_NAME = re.compile(r"\b(pn\w*)\s*\(")
DATA_NAME = re.compile(r"\b(\w+)\s*(\[\s*\])?\s*$")


def api_headers():
    with open(os.path.join(HERE, "api-headers")) as f:
        names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    return [os.path.join("/usr/include/proton", n) for n in names]


def strip(text):
    """Remove comments (string-aware) and preprocessor lines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        else:
            out.append(c)
            i += 1
    lines, cont = [], False
    for line in "".join(out).splitlines():
        directive = cont or line.lstrip().startswith("#")
        cont = directive and line.rstrip().endswith("\\")
        if not directive:
            lines.append(line)
    return " ".join(lines)


def declarations(path):
    with open(path) as f:
        text = strip(f.read())
    for stmt in re.split(r"[;{}]", text):
        m = EXTERN.search(stmt)
        if not m:
            continue
        decl = " ".join(stmt[m.start():].split())
        body = decl.split(None, 1)[1]
        # Skip the PN_DEPRECATED("...") note when looking for the function name.
        body = re.sub(r'\bPN_DEPRECATED\s*\(\s*"[^"]*"\s*\)', "", body)
        f = FUNC_NAME.search(body)
        if f:
            yield f.group(1), decl + ";"
        else:
            d = DATA_NAME.search(body)
            if d:
                yield d.group(1), decl + ";"


def main(argv):
    paths = argv[1:] or api_headers()
    for path in paths:
        for name, decl in declarations(path):
            print(f"{name}\t{decl}")


if __name__ == "__main__":
    main(sys.argv)
