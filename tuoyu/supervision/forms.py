"""forms of the supervision app."""
