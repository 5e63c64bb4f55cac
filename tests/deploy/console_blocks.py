"""Shell sessions shown in the docs as ```console blocks: `$ command` lines, each followed by what it
prints. The tests that run the docs' commands (test_readme_tour, test_http_tour) read them here, so
that what a reader copies is what is run.

A command goes on over further lines while it ends with a backslash (joined as the shell joins them)
or while a single-quoted string is open (joined with the newline, which the shell keeps inside the
quotes). In expected output, a line `...` stands for any number of lines and a time in
milliseconds ("2.094 ms") for any time.
"""
import re

MILLISECONDS = re.compile(r"[0-9]+(\.[0-9]+)? ms")


def console_blocks(text):
    """The bodies of every ```console block of `text`, in order."""
    return re.findall(r"```console\n(.*?)```", text, re.S)


def console_steps(block):
    """[(command, [expected output lines])] of one console block."""
    steps = []
    lines = iter(block.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") or command.count("'") % 2 == 1:
                following = next(lines)
                command = (command[:-1] + following.strip() if command.endswith("\\")
                           else command + "\n" + following)
            steps.append((command, []))
        elif steps and line:
            steps[-1][1].append(line)
    return steps


def line_pattern(expected_line):
    """A regular expression for one expected line: literal, but any time where it shows one."""
    parts = MILLISECONDS.split(expected_line)[::2]  # split() also returns the group's text
    return "[0-9]+(?:\\.[0-9]+)? ms".join(re.escape(part) for part in parts)


def matches(expected, actual):
    """Whether the actual lines are the expected ones, '...' standing for any number of lines."""
    if not expected:
        return not actual
    if expected[0].strip() == "...":
        return any(matches(expected[1:], actual[skip:]) for skip in range(len(actual) + 1))
    return (bool(actual) and re.fullmatch(line_pattern(expected[0]), actual[0].rstrip()) is not None
            and matches(expected[1:], actual[1:]))
