#!/usr/bin/env python3
"""Checks the man pages (man/*.scd) against the programs and the example configuration.

- every option in `kokola-syncd --help` appears in kokola-syncd(8) under OPTIONS;
- every command in `kokolactl --help` has its own `## COMMAND` part in kokolactl(1), every
  option of `kokolactl COMMAND --help` appears in that part, and every global option under
  OPTIONS;
- every top-level key of etc/kokola-sync.example.yaml has its `## KEY` part in
  kokola-sync.yaml(5), and every key one level down appears in that part;
- the built pages (build/man) exist and are not empty.

--help is read when the test runs, so a new option or command without a man entry fails.
"""
import os
import re
import subprocess
import sys

SRC = os.environ.get("KOKOLA_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
BIN = os.environ.get("KOKOLA_BIN_DIR") or os.path.join(SRC, "build")
failures = []
checked = 0


def page(name):
    """The scdoc source with its escapes removed (`\\_` is `_`)."""
    with open(os.path.join(SRC, "man", name + ".scd"), encoding="utf-8") as f:
        return f.read().replace("\\", "")


def part(text, header):
    """The lines from `header` (a whole line) to the next header of the same or higher level."""
    level = len(header) - len(header.lstrip("#"))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == header:
            end = i + 1
            while end < len(lines):
                m = re.match(r"^(#+) ", lines[end])
                if m and len(m.group(1)) <= level:
                    break
                end += 1
            return "\n".join(lines[i:end])
    return None


def help_text(*argv):
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    return out.stdout


def help_section(text, title):
    """The lines of one CLI11 help section ("Options:", "Subcommands:")."""
    m = re.search(r"^" + title + r":\n((?:[ \t].*\n?)*)", text, re.M)
    return m.group(1) if m else ""


def options_of(text):
    """Every -x and --long-name in the option column of a CLI11 help text."""
    found = []
    for line in help_section(text, "Options").splitlines():
        column = re.match(r"^ {2}(\S+)", line)
        if column:
            found += re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", column.group(1))
    return found


def expect(ok, message):
    global checked
    checked += 1
    if not ok:
        failures.append(message)


def mentions(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def check_daemon():
    text = page("kokola-syncd.8")
    section = part(text, "# OPTIONS") or ""
    for opt in options_of(help_text(os.path.join(BIN, "kokola-syncd"), "--help")):
        expect(mentions(section, opt), f"kokola-syncd(8): option {opt} is not under OPTIONS")


def check_ctl():
    ctl = os.path.join(BIN, "kokolactl")
    text = page("kokolactl.1")
    top = help_text(ctl, "--help")
    global_part = part(text, "# OPTIONS") or ""
    global_opts = options_of(top)
    for opt in global_opts:
        expect(mentions(global_part, opt), f"kokolactl(1): global option {opt} is not under OPTIONS")

    commands = [l.split()[0] for l in help_section(top, "Subcommands").splitlines() if l.strip()]
    expect(len(commands) > 0, "kokolactl --help lists no commands")
    for cmd in commands:
        section = part(text, "## " + cmd)
        expect(section is not None, f"kokolactl(1): command '{cmd}' has no '## {cmd}' part")
        synopsis = part(text, "# SYNOPSIS") or ""
        expect(mentions(synopsis, cmd), f"kokolactl(1): command '{cmd}' is not in the SYNOPSIS")
        for opt in options_of(help_text(ctl, cmd, "--help")):
            if opt in ("-h", "--help") or opt in global_opts:
                continue
            expect(section is not None and mentions(section, opt),
                   f"kokolactl(1): option {opt} of '{cmd}' is not in its '## {cmd}' part")


def yaml_keys(path):
    """(top-level key, [keys one level down]) from a YAML file indented by two spaces."""
    keys = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^( *)([A-Za-z_][\w-]*):", line)
            if not m:
                continue
            if m.group(1) == "":
                keys.append((m.group(2), []))
            elif m.group(1) == "  " and keys:
                keys[-1][1].append(m.group(2))
    return keys


def check_config():
    text = page("kokola-sync.yaml.5")
    keys = yaml_keys(os.path.join(SRC, "etc", "kokola-sync.example.yaml"))
    expect(len(keys) >= 6, "etc/kokola-sync.example.yaml: fewer top-level keys than expected")
    for top, subs in keys:
        section = part(text, "## " + top)
        expect(section is not None, f"kokola-sync.yaml(5): key '{top}' has no '## {top}' part")
        for sub in subs:
            expect(section is not None and re.search(r"(?<![\w-])" + re.escape(sub), section),
                   f"kokola-sync.yaml(5): key '{top}.{sub}' is not in the '## {top}' part")


def check_built():
    for name in ("kokola-syncd.8", "kokolactl.1", "kokola-sync.yaml.5"):
        built = os.path.join(BIN, "man", name)
        expect(os.path.isfile(built) and os.path.getsize(built) > 1000,
               f"{built}: not built (the 'man' target, part of 'all')")


def main():
    check_daemon()
    check_ctl()
    check_config()
    check_built()
    for f in failures:
        print("FAIL", f)
    print(f"man pages: {checked - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
