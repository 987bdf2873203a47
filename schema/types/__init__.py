"""Strawberry types of the patient record and the account."""
