"""Fuzz fixtures; the contract, profiles and case counts live in ``fuzz_contract``."""

from fuzz_contract import contract

__all__ = ["contract"]
