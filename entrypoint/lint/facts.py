"""What the code itself states about a value, read without running it: no gradient here, not a tensor, on the
CPU, two-dimensional, an integer dtype.

A rule's outcome often hangs on such a fact. `grid_sample` raises only when differentiated on CUDA, so inside
`with torch.no_grad():` or on `x.detach()` it cannot raise; `F.nll_loss` goes through `nll_loss2d` (which raises
on CUDA) only for inputs of more than two dimensions, so `F.nll_loss(out.view(-1, C), y)` cannot; `histc` raises
on CUDA only for floating-point input (PyTorch's `test_nondeterministic_alert_histc`), so `x.long().histc()`
cannot; and `(1 - tp).cumsum(0)` with `tp = np.zeros(n)` is NumPy's, not torch's.

The facts are taken from how a value is written (a call chain) or from the last assignment to a plain name in the
module (flat, like the resolver: good enough for lint, and a name rebound to anything else loses its facts).
"""

from __future__ import annotations

import ast
from functools import lru_cache

from .framework_parts import union
from .resolver import Resolver

NON_TENSOR = "nontensor"  # a NumPy array, a pandas frame, a matplotlib axis, a Python number
CPU = "cpu"  # on the CPU (`.cpu()`, `.to("cpu")`)
DETACHED = "detached"  # out of the autograd graph: no backward pass reaches the op
TWO_D = "2d"  # stated two-dimensional: `.view(N, C)`, `.reshape(-1, C)` (two sizes given)
INTEGER = "integer"  # stated integer or bool dtype (`.long()`, `.to(torch.int64)`, `dtype=torch.long`)
# The data batch: a loop variable over a data loader inside its loop (`for x, y in train_loader:`; the checker's
# visit_for lists those Name nodes), or what a tensor method of one tensor makes of it (`x.to(device)`,
# `batch["image"].float()`). A loader yields tensors that do not require grad, so no backward pass runs through an op
# on them.
DATA = "data"
QUANTIZED = "quantized"  # made by a quantizing call (a framework's QUANTIZERS), kept by clone/contiguous/detach
NONE: frozenset[str] = frozenset()

# Libraries whose values are never tensors; a call into them returns their own objects. A framework's lint part
# adds the array libraries whose values are not its tensors (NON_TENSOR_MODULES).
GENERIC_NON_TENSOR_MODULES = frozenset({"numpy", "pandas", "matplotlib", "scipy", "sklearn", "cv2", "PIL",
                                        "seaborn", "math", "statistics", "random", "skimage", "imageio", "networkx"})
# Tensor methods whose result is no longer a tensor, or no longer in the graph, or on the CPU.
_TO_PYTHON = frozenset({"numpy", "tolist", "item"})
_INTEGER_METHODS = frozenset({"long", "int", "short", "byte", "bool", "char"})
# Tensor methods of one tensor whose result needs grad only when the tensor does: the data batch stays the batch.
KEEP_DATA = frozenset({"to", "cuda", "cpu", "float", "half", "double", "bfloat16", "type", "contiguous", "clone",
                        "permute", "transpose", "unsqueeze", "squeeze", "view", "reshape", "flatten", "flip",
                        "pin_memory", "long", "int"})


@lru_cache(maxsize=None)
def _vocabulary() -> tuple[frozenset[str], ...]:
    """The frameworks' names for what their code states (their lint parts): non-tensor modules, integer dtypes,
    the modules whose calls take a `dtype=`, and the contexts under which autograd records nothing."""
    return (GENERIC_NON_TENSOR_MODULES | union("NON_TENSOR_MODULES"), union("INTEGER_DTYPES"),
            union("DTYPE_MODULES"), union("NO_GRAD"), union("SET_GRAD_ENABLED"), union("QUANTIZERS"))


def of(node: ast.AST, names: dict[str, frozenset[str]], resolver: Resolver,
       data: set[int] | frozenset[int] = frozenset()) -> frozenset[str]:
    """The facts `node`'s expression states; `data` holds the ids of the Name nodes that are the data batch."""
    kind = type(node)
    if kind is ast.Name:
        stated = names.get(node.id, NONE)
        return stated | {DATA} if id(node) in data else stated
    if kind is ast.Constant:
        return frozenset({NON_TENSOR}) if type(node.value) in (int, float, complex, bool) else NONE
    if kind is ast.Call:
        return _call(node, names, resolver, data)
    if kind is ast.BinOp:
        left, right = of(node.left, names, resolver, data), of(node.right, names, resolver, data)
        # A NumPy array combined with a number or another array stays NumPy's.
        return frozenset({NON_TENSOR}) if NON_TENSOR in left and NON_TENSOR in right else NONE
    if kind is ast.UnaryOp:
        return of(node.operand, names, resolver, data) & {NON_TENSOR}
    if kind is ast.Subscript:
        return of(node.value, names, resolver, data) & {NON_TENSOR, CPU, DETACHED, INTEGER, QUANTIZED, DATA}
    if kind is ast.Attribute:
        qualified = resolver.qualify(node)
        if qualified is not None and qualified.partition(".")[0] in _vocabulary()[0]:
            return frozenset({NON_TENSOR})
    return NONE


def _call(node: ast.Call, names: dict[str, frozenset[str]], resolver: Resolver,
          data: set[int] | frozenset[int] = frozenset()) -> frozenset[str]:
    func = node.func
    qualified = resolver.qualify(func)
    if qualified is not None:
        top = qualified.partition(".")[0]
        non_tensor, _, dtype_modules, _, _, quantizers = _vocabulary()
        if top in non_tensor:
            return frozenset({NON_TENSOR})
        if qualified in quantizers:
            return frozenset({QUANTIZED})
        if top in dtype_modules:
            return _dtype_keyword(node, resolver)
        return NONE
    if type(func) is not ast.Attribute:
        return NONE
    attr = func.attr
    base = of(func.value, names, resolver, data)
    if DATA in base and attr in KEEP_DATA:
        return _call_method(node, attr, base, resolver) | {DATA}
    return _call_method(node, attr, base - {DATA}, resolver)


def _call_method(node: ast.Call, attr: str, base: frozenset[str], resolver: Resolver) -> frozenset[str]:
    if attr in _TO_PYTHON:
        return frozenset({NON_TENSOR})
    if attr == "cpu":
        return base | {CPU}
    if attr == "detach":
        return base | {DETACHED}
    if attr in ("clone", "contiguous"):
        return base & {QUANTIZED, NON_TENSOR}
    if attr in ("view", "reshape") and len(node.args) == 2 and not node.keywords \
            and not any(type(a) is ast.Starred for a in node.args):
        return base | {TWO_D}
    if attr in _INTEGER_METHODS:
        return base | {INTEGER}
    if attr in ("to", "type"):
        found = set(base)
        for arg in (*node.args, *(k.value for k in node.keywords if k.arg in ("dtype", "device"))):
            if type(arg) is ast.Constant and arg.value == "cpu":
                found.add(CPU)
            elif resolver.qualify(arg) in _vocabulary()[1]:
                found.add(INTEGER)
        return frozenset(found)
    return base & {NON_TENSOR}  # a NumPy array's method returns NumPy's; a tensor's may change anything else


def _dtype_keyword(node: ast.Call, resolver: Resolver) -> frozenset[str]:
    for keyword in node.keywords:
        if keyword.arg == "dtype" and resolver.qualify(keyword.value) in _vocabulary()[1]:
            return frozenset({INTEGER})
    return NONE


def no_grad(node: ast.AST, resolver: Resolver) -> bool:
    """Whether a `with` item or a decorator switches autograd off: `torch.no_grad()`, `torch.inference_mode()`
    (not `inference_mode(False)`), `torch.set_grad_enabled(False)`, and the bare decorator forms."""
    _, _, _, no_grad_names, set_grad_enabled, _ = _vocabulary()
    if type(node) is ast.Call:
        qualified = resolver.qualify(node.func)
        first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "mode"), None)
        if qualified in no_grad_names:
            return not (type(first) is ast.Constant and first.value is False)
        if qualified in set_grad_enabled:
            return type(first) is ast.Constant and first.value is False
        return False
    return resolver.qualify(node) in no_grad_names
