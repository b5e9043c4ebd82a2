"""Code to prepend to a subprocess script so that ``import mcgen`` fails there.

CI installs mcgen (editable), so isolated mode alone does not hide it: a meta-path finder that
refuses the package proves the exported artifact needs nothing of mcgen.
"""

BLOCK_MCGEN = '''
import sys as _sys


class _NoMcgen:
    def find_spec(self, name, path=None, target=None):
        if name == "mcgen" or name.startswith("mcgen."):
            raise ImportError("mcgen is hidden from this process")
        return None


_sys.meta_path.insert(0, _NoMcgen())
'''
