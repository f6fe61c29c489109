#!/usr/bin/env python3
"""Placesim's entry point: ``python run.py <command> …`` (same as ``placesim``)."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
