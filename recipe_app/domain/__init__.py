"""The recipe itself: the recipe a model writes, what the cook asks for, and the card shape.

Imports nothing else of the app (tests/test_layers.py keeps it so).
"""
