"""The generation lifecycle: one run from admission to its recorded outcome. Imports no Reflex."""
