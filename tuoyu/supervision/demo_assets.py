"""A small signature picture for the demo (a 1×1 PNG; real ones are drawn on the phone)."""

SIGNATURE_PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAIAAAUAAeImBZsAAAAASUVORK5CYII="
)
