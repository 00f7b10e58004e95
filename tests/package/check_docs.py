"""Checks what the docs promise about code and links.

- Every relative link in README.md, CHANGELOG.md and docs/*.md resolves to a file,
  and so does every repository path they name in backticks.
- Every code block announced by `<!-- compiled: <path> -->` is that file, byte for
  byte: the mounts shown in docs/integration.md are the ones tests/package builds
  and runs.
- The README's API tour names every installed header, and only those.
- The Beast, Asio and cpp-httplib mounts stay under 50 lines of code (non-blank
  lines that are not comments), as docs/integration.md states.

usage: python3 check_docs.py <source dir>
"""
import os
import re
import sys

failures = []

MOUNTS = ("tests/package/mounts/beast_events_mount.hpp",
          "tests/package/mounts/asio_events_mount.hpp",
          "examples/httplib_host/httplib_events_mount.hpp")


def check(ok, what):
    print(("ok      " if ok else "FAILED  ") + what)
    if not ok:
        failures.append(what)


def code_lines(text):
    return sum(1 for line in text.splitlines()
               if line.strip() and not line.strip().startswith("//"))


def main():
    root = os.path.abspath(sys.argv[1])
    docs = ["README.md", "CHANGELOG.md"] + [
        os.path.join("docs", f) for f in sorted(os.listdir(os.path.join(root, "docs")))
        if f.endswith(".md")]
    for doc in docs:
        path = os.path.join(root, doc)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        # Links outside code blocks only.
        prose = re.sub(r"```.*?```", "", text, flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", prose):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file_part = target.split("#")[0]
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part))
            check(os.path.exists(resolved), f"{doc}: link {target} resolves")
        # Paths named in backticks (`docs/x.md`, `tests/package/...`) exist too.
        for named in re.findall(r"`((?:docs|examples|tests|include|cmake|scripts|packaging)/[\w./-]+\.\w+)`",
                                prose):
            check(os.path.exists(os.path.join(root, named)), f"{doc}: `{named}` exists")
        for compiled, block in re.findall(r"<!-- compiled: (\S+) -->\s*```cpp\n(.*?)```",
                                          text, flags=re.S):
            source = os.path.join(root, compiled)
            if not os.path.isfile(source):
                check(False, f"{doc}: {compiled} exists")
                continue
            with open(source, encoding="utf-8") as f:
                check(f.read() == block, f"{doc}: the block shown as {compiled} is that file")
    # The README's API tour names exactly the installed headers (core and components).
    with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    tour = readme[readme.find("## API tour"):]
    tour = tour[:tour.find("\n## ", 4)]
    named = set(re.findall(r"`([\w/]+\.hpp)`", tour))
    include_dir = os.path.join(root, "include", "eudiplo_sse")
    installed = {os.path.relpath(os.path.join(d, f), include_dir)
                 for d, _, files in os.walk(include_dir) for f in files if f.endswith(".hpp")}
    installed |= {"version.hpp", "export.hpp"}  # generated at configure time
    for header in sorted(installed - named):
        check(False, f"README API tour names {header}")
    for header in sorted(named - installed):
        check(False, f"README API tour's {header} is an installed header")
    check(installed == named, f"README API tour names the {len(installed)} installed headers")
    for mount in MOUNTS:
        source = os.path.join(root, mount)
        if os.path.isfile(source):
            with open(source, encoding="utf-8") as f:
                n = code_lines(f.read())
            check(n < 50, f"{mount} is {n} lines of code (under 50)")
    if failures:
        print(f"\n{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
