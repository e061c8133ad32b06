"""The vocabulary every other part of toolgym speaks. Imports no other toolgym package."""
