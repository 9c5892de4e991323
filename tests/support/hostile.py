"""Hostile input: traversal paths and malformed validators, generated as a corpus."""

from __future__ import annotations

from itertools import product

SECRET = b"top-secret-outside-the-root"

_DOTS = [
    "..",
    "%2e%2e",
    "%2E%2E",
    ".%2e",
    "%2e.",
    "%252e%252e",
    "%c0%ae%c0%ae",
    "%e0%80%ae%e0%80%ae",
    "%uff0e%uff0e",
    "....",
]
_SEPARATORS = ["/", "%2f", "%2F", "%252f", "\\", "%5c", "%255c", "%c0%af", "%e0%80%af"]
_EXTRAS = [
    "%00",
    "secret.txt%00.css",
    "sub/%00/../x",
    "%01%02%03",
    "%0a",
    "%0d%0aSet-Cookie:x=1",
    "%7f",
    "%ff",
    "%fe%ff",
    "C:\\secret.txt",
    "C:/secret.txt",
    "c:%5csecret.txt",
    "\\\\server\\share\\secret.txt",
    "//server/share/secret.txt",
    "%5c%5cserver%5cshare",
    "/etc/passwd",
    "//etc/passwd",
    "///etc//passwd",
    "file:///etc/passwd",
    "~/secret.txt",
    "sub/./././../../secret.txt",
    "sub/.../secret.txt",
    ".",
    "./",
    "%2e",
    "%2e/",
    "a" * 300,
    "a/" * 200,
    "%2e" * 500,
    ("x" * 255 + "/") * 20,
    "con",
    "aux.txt",
    "nul",
    "sub%2f..%2f..%2fsecret.txt",
    "sub/..;/../secret.txt",
    "..;/secret.txt",
    "%%32%65%%32%65/secret.txt",
    "..%00/secret.txt",
    "..%0d/secret.txt",
    "..%09/secret.txt",
]


def traversal_paths() -> list[str]:
    """Every way to spell "up one level" to secret.txt, at depths one to three."""
    paths = []
    for dots, sep, depth in product(_DOTS, _SEPARATORS, (1, 2, 3)):
        paths.append((dots + sep) * depth + "secret.txt")
    return sorted(set(paths + _EXTRAS))


BAD_DATES = [
    "",
    " ",
    "yesterday",
    "Wed, 21 Oct 2015 07:28:00",
    "Wed, 32 Oct 2015 07:28:00 GMT",
    "Wed, 21 Oct 99999 07:28:00 GMT",
    "9" * 400,
    "-1",
    "Thu, 01 Jan 1970 00:00:00 GMT; length=3",
    "Sun, 06 Nov 1994 08:49:37 GMT\x00",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "\u2603",
]
BAD_ETAGS = [
    "",
    "*,",
    '"',
    '"unterminated',
    "W/",
    'W/"',
    ",,,,",
    '"a", W/"b", *',
    "\u2603",
    '"' + "x" * 5000 + '"',
    "null",
    '"\\""',
    "*" * 100,
]
BAD_RANGES = [
    "bytes=",
    "bytes=-",
    "bytes=--1",
    "bytes=1--2",
    "bytes=a-b",
    "bytes=0-0,-1",
    "bits=0-1",
    "bytes=99999999999999999999999999-",
    "bytes=" + "9" * 5000 + "-",
    "bytes=0-" + "9" * 5000,
    "bytes=\u0661-\u0662",
    "bytes = 0 - 1 , 2 - 3",
    "bytes=0-1" + ",0-1" * 500,
    "\x00",
]
BAD_COOKIES = [
    "sessionid=",
    "sessionid=" + "a" * 5000,
    "sessionid=../../etc/passwd",
    "sessionid=%00",
    "sessionid=\"'; DROP TABLE django_session;--",
    "sessionid=\u2603",
    "sessionid==;;==",
]


def header_cases() -> list[dict[str, str]]:
    cases: list[dict[str, str]] = []
    cases += [{"If-Modified-Since": value} for value in BAD_DATES]
    cases += [{"If-None-Match": value} for value in BAD_ETAGS]
    cases += [{"Range": value} for value in BAD_RANGES]
    cases += [{"Range": "bytes=0-9", "If-Range": value} for value in BAD_DATES + BAD_ETAGS]
    cases += [{"Cookie": value} for value in BAD_COOKIES]
    return cases


def check_answer(status: int, body: bytes) -> None:
    """What any answer to hostile input must be: no 500, no traceback, no secret."""
    assert status < 500, status
    assert SECRET not in body
    assert b"Traceback" not in body
