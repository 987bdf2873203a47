"""Small builder functions that arrange test data."""
