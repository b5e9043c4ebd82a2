"""Suite-wide collection order."""


def pytest_collection_modifyitems(items):
    """The README examples (the longest test, a few minutes) first: with the two pytest-xdist
    workers of the default options it then runs beside the other files instead of after them."""
    items.sort(key=lambda item: item.path.name != "test_readme.py")  # stable: the rest in order
