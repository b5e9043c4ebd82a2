"""Code generation: a small typed loop IR, front-ends that build it (stencil sweeps; Monte Carlo
event loops), and backends that print only it (numba, C, LLVM).

``compile(scheme, backend=...)`` runs the whole stencil pipeline and returns a
:class:`CompiledKernel`.
"""

from mcgen.codegen.call_checks import KernelArgumentError
from mcgen.codegen.compile import compile
from mcgen.codegen.compiled_kernel import CompiledKernel
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.stencil_frontend import build_stencil, stencil_ir

__all__ = ["compile", "CompiledKernel", "KernelArgumentError", "KernelConfig", "build_stencil",
           "stencil_ir"]
