#!/usr/bin/python3
"""The man page doc/stacktab.1 against the CLI's own --help texts (ctest cli.manpage).

usage: manpage_test.py STACKTAB MANPAGE

- every command in `stacktab --help` ("commands:") has a `.SS COMMAND` section;
- for each command, the options listed under "options:" in `stacktab COMMAND --help` (with
  their value syntax, e.g. --mode=strict|go, -o FILE) equal the .TP tags of its section, plus
  those of DECODER OPTIONS when the section refers to them; an option added to or dropped from
  either side, or a changed value syntax, fails the test;
- `stacktab --version` matches the version in the .TH line;
- groff, when installed, renders the page without warnings.
"""
import re
import shlex
import shutil
import subprocess
import sys

OPT = r"(?:-[a-zA-Z](?: [A-Z]+)?|--[a-z][\w-]*(?:=[^\s,]+| [A-Z]+)?)"
SPEC = re.compile(r"^\s+(%s(?:, %s)*)(?:\s|$)" % (OPT, OPT))


def run(*args):
    p = subprocess.run(list(args), capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def help_block(text, title):
    """Lines of the indented block after a line `title` (up to a blank or unindented line)."""
    out, on = [], False
    for line in text.splitlines():
        if line.strip() == title:
            on = True
        elif on and not line.startswith(" "):
            break
        elif on:
            out.append(line)
    return out


def options_of(line):
    """The options an option-list line (a --help line or a man page .TP tag) names."""
    m = SPEC.match(line)
    return set(m.group(1).split(", ")) if m else set()


def help_options(text):
    opts = set()
    for line in help_block(text, "options:"):
        opts |= options_of(line)
    return opts


def troff_text(line):
    """A macro line or text line as it reads: fonts dropped, \\- as -, alternating macros joined."""
    m = re.match(r"^\.(B|I|BI|IB|BR|RB|IR|RI)\s+(.*)$", line)
    if m:
        args = shlex.split(m.group(2).replace("\\", "\\\\"), posix=True)
        line = ("" if len(m.group(1)) == 2 else " ").join(args)
    line = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", line)
    return line.replace("\\-", "-").replace("\\e", "\\").strip()


def man_sections(path):
    """{section name: [.TP tags]} plus each section's raw text; .SS names are their first word."""
    tags, text, cur = {}, {}, None
    lines = open(path, encoding="utf-8").read().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r'^\.(SH|SS)\s+"?([^"]*)"?', line)
        if m:
            cur = m.group(2).split()[0] if m.group(1) == "SS" else m.group(2)
            tags.setdefault(cur, [])
            text.setdefault(cur, "")
            continue
        if cur is None:
            continue
        text[cur] += line + "\n"
        if line.startswith(".TP") and i + 1 < len(lines):
            tags[cur].append(troff_text(lines[i + 1]))
    return tags, text, lines


def main():
    stacktab, manpage = sys.argv[1], sys.argv[2]
    tags, text, lines = man_sections(manpage)
    fails = []
    top = run(stacktab, "--help")
    commands = [l.split()[0] for l in help_block(top, "commands:") if l.strip()]
    if not commands:
        fails.append("no commands found in `stacktab --help`")
    decoder = set()
    for t in tags.get("DECODER OPTIONS", []):
        decoder |= options_of("  " + t)
    for cmd in commands:
        if cmd not in tags:
            fails.append("command %s: no `.SS %s` section in the man page" % (cmd, cmd))
            continue
        want = help_options(run(stacktab, cmd, "--help"))
        have = set()
        for t in tags[cmd]:
            got = options_of("  " + t)
            if not got:
                fails.append("%s: man page tag `%s` names no option" % (cmd, t))
            have |= got
        if "DECODER OPTIONS" in text[cmd]:
            have |= decoder
        for o in sorted(want - have):
            fails.append("%s: `%s` is in --help but not in the man page" % (cmd, o))
        for o in sorted(have - want):
            fails.append("%s: `%s` is in the man page but not in --help" % (cmd, o))
        print("%-7s %2d options, help and man page agree" % (cmd, len(want))
              if want == have else "%-7s differs" % cmd)
    version = run(stacktab, "--version").split()[-1]
    th = [l for l in lines if l.startswith(".TH ")]
    if not th or ('"stacktab %s"' % version) not in th[0]:
        fails.append("the .TH line does not name stacktab %s: %s" % (version, th))
    if shutil.which("groff"):
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", manpage],
                           capture_output=True, text=True)
        if p.returncode != 0 or p.stderr.strip():
            fails.append("groff warnings: %s" % p.stderr.strip())
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
