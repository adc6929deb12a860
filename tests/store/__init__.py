"""Tests of the store layer: ledger, imports, runs, back ends."""
