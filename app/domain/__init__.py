"""Plain-Python models and rules: recipients, delivery types, validation, costs, order plans."""
