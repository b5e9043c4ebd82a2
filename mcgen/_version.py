"""mcgen's version, in a module of its own so that every layer can read it without importing the
package root (which sits above all layers; tests/test_layers.py holds this)."""

__version__ = "0.1.0"
