"""forms of the credit app."""
