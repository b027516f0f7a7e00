"""Plausible values by property name (``location`` -> "San Francisco, CA") and string formats, for tool inputs.

Standard library only; every function draws from the ``random.Random`` it is handed.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from typing import Any

WORDS = ("example", "sample", "data", "report", "project", "value", "notes", "update", "demo", "item")
_FIRST, _LAST = ("alex", "sam", "jordan", "taylor", "casey"), ("morgan", "lee", "smith", "kim", "garcia")
FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date": lambda r: f"{r.randint(2020, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "time": lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z",
    "date-time": lambda r: f"{FORMATS['date'](r)}T{FORMATS['time'](r)}",
    "email": lambda r: f"{r.choice(_FIRST)}.{r.choice(_LAST)}@example.com",
    "uri": lambda r: f"https://example.com/{r.choice(WORDS)}/{r.randint(1, 999)}",
    "uuid": lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)),
    "hostname": lambda r: f"{r.choice(('api', 'www', 'docs', 'mail'))}.example.com",
    "ipv4": lambda r: f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
    "ipv6": lambda r: f"2001:db8::{r.randint(1, 0xFFFF):x}",
    "duration": lambda r: f"P{r.randint(1, 30)}DT{r.randint(1, 23)}H",
    "regex": lambda r: r.choice(("^[a-z]+$", "\\d{3}-\\d{4}")),
    "json-pointer": lambda r: f"/items/{r.randint(0, 9)}",
    "relative-json-pointer": lambda r: f"{r.randint(0, 3)}/name",
    "uri-template": lambda r: "https://example.com/items/{id}",
    "id": lambda r: f"id_{r.getrandbits(32):08x}",  # not a JSON Schema format: for "id"-like names
}
_ALIASES = "idn-email:email idn-hostname:hostname url:uri iri:uri uri-reference:uri iri-reference:uri"
FORMATS |= {alias: FORMATS[name] for alias, name in (pair.split(":") for pair in _ALIASES.split())}
# Property-name words = plausible strings ("@fmt" means a value of that format).
_TEXT_SRC = """
city location place town address destination origin = San Francisco, CA | New York, NY | London, UK
command cmd script shell = echo hello | ls -la | pwd | git status
url uri link href endpoint website homepage = https://example.com/docs | https://example.com/api/v1
path filepath filename file dir directory folder cwd = /tmp/example.txt | /home/user/project/README.md
query search q question prompt keyword term topic = weather in Paris | python asyncio tutorial
name username user author owner firstname lastname fullname = Alex Morgan | Sam Lee | Jordan Smith
description summary content text body message comment reason note details = A short example description.
instructions explanation = Check the build status and report back. | Summarize the latest results.
title subject heading label caption = Quarterly report | Meeting notes | Project kickoff
email mail = @email
id identifier key uuid ref = @id
host hostname domain = @hostname
date day = @date
time timestamp datetime = @date-time
country = United States | Japan | Germany
timezone tz = America/Los_Angeles | Europe/London | UTC
unit = celsius | fahrenheit
color colour = blue | green | red
phone telephone mobile = +1-555-0134 | +1-555-0199
code snippet source = print('hello world') | return x + 1
pattern regex glob = *.py | TODO
oldstring old = foo = 1
newstring new replacement = foo = 2
version = 1.0.0 | 2.3.1
status state = active | pending | completed
tag category kind type = general | urgent
symbol ticker = AAPL | MSFT
currency = USD | EUR | JPY
language lang locale = en
"""
_TEXT = {
    word: tuple(v.strip() for v in values.split("|"))
    for words, values in (line.split("=", 1) for line in _TEXT_SRC.strip().splitlines())
    for word in words.split()
}
NUMS = {"age": (18, 80), "year": (2000, 2030), "port": (1024, 65535), "page": (1, 5), "lat": (-90, 90)}
NUMS |= dict.fromkeys(["count", "limit", "max", "num", "top", "k", "n", "results", "days"], (1, 10))
NUMS |= {"latitude": (-90, 90), "lon": (-180, 180), "lng": (-180, 180), "longitude": (-180, 180)}


def lookup(table: dict[str, Any], hint: str) -> Any:
    tokens = [t.lower() for t in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", hint)]
    for word in ["".join(tokens), *reversed(tokens)]:
        for w in (word, word.removesuffix("s")):
            if w in table:
                return table[w]
    return None


def hinted(hint: str, rng: random.Random) -> str:
    value = rng.choice(lookup(_TEXT, hint) or [" ".join(rng.sample(WORDS, rng.randint(2, 3)))])
    return FORMATS[value[1:]](rng) if value.startswith("@") else str(value)
