"""Regenerates ../bl*.json. Usage: python3 build.py"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib

OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for part in ("part1", "part2", "part3"):
    try:
        mod = importlib.import_module(part)
    except ModuleNotFoundError:
        continue
    for fn in mod.SCENARIOS:
        s = fn()
        n = s.write(OUT)
        print("%-45s %4d messages" % (s.fname, n))
