"""No function over 80 lines in src/, include/ and examples/ (common standards).

A function is found by its body's opening line (a line ending in '{' after a ')',
not a control statement, class, struct, namespace or enum) and measured to the
matching close brace. A heuristic, but one that errs towards measuring too much.

usage: python3 check_function_size.py <source dir>
"""
import os
import re
import sys

LIMIT = 80
CONTROL = re.compile(r"\s*(if|for|while|switch|else|do|catch|try)\b")
NOT_FUNCTION = re.compile(r"\b(class|struct|namespace|enum)\b")


def long_functions(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        opens = (line.rstrip().endswith("{") and ")" in line and not CONTROL.match(line)
                 and not NOT_FUNCTION.search(line) and "=" not in line.split("(")[0]
                 and not line.strip().startswith(("}", "[", "auto ")))
        if not opens:
            i += 1
            continue
        depth = 0
        for j in range(i, len(lines)):
            depth += lines[j].count("{") - lines[j].count("}")
            if depth == 0:
                break
        if j - i + 1 > LIMIT:
            yield i + 1, j - i + 1, line.strip()
        i = j + 1


def main():
    root = os.path.abspath(sys.argv[1])
    failures = 0
    for base in ("src", "include", "examples"):
        for folder, _, files in os.walk(os.path.join(root, base)):
            for name in sorted(files):
                if not name.endswith((".cpp", ".hpp", ".ipp")):
                    continue
                path = os.path.join(folder, name)
                for line, length, text in long_functions(path):
                    print(f"FAILED  {os.path.relpath(path, root)}:{line}: {length} lines: {text}")
                    failures += 1
    print(f"{failures} function(s) over {LIMIT} lines")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
