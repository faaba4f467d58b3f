"""Checks for implement-it exercises: run the learner's code against the reference and say,
in words, what differs (which step, which parameter, expected vs got, a likely cause)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np


def _problems(seed: int = 0):
    """Small parameter dicts with a gradient function each: a mix of shapes and scales."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((3, 3))
    curvature = a @ a.T + np.eye(3)

    def quadratic(params):
        return {"w": curvature @ params["w"], "b": 2.0 * params["b"]}

    def rosenbrock(params):
        x, y = params["xy"]
        return {"xy": np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])}

    def tiny(params):
        return {"w": 1e-6 * params["w"]}

    return [
        ("a quadratic with parameters 'w' (3,) and 'b' (2, 2)",
         lambda: {"w": np.array([1.0, -2.0, 0.5]), "b": np.array([[0.3, -0.1], [2.0, 1.0]])}, quadratic),
        ("the Rosenbrock function from (-1.5, 2)", lambda: {"xy": np.array([-1.5, 2.0])}, rosenbrock),
        ("gradients of size 1e-6", lambda: {"w": np.array([3.0, -1.0, 0.1])}, tiny),
    ]


def _hint(expected_step, got_step, before, after):
    if np.array_equal(before, after):
        return ("the parameter did not change: update it in place (p -= ..., or p[...] = ...); "
                "p = ... only rebinds a local name")
    if np.allclose(got_step, -expected_step, rtol=1e-6):
        return "your step has the opposite sign: descend, i.e. move against the gradient"
    ratio = got_step / np.where(expected_step == 0, np.nan, expected_step)
    ratio = ratio[np.isfinite(ratio)]
    if ratio.size and np.allclose(ratio, ratio[0], rtol=1e-6):
        return f"your step is {ratio[0]:.4g} times the expected one: check the constant factors"
    return "compare your formula with the equations line by line"


def check_optimizer(candidate: Callable, reference: Callable, steps: int = 5, **kwargs) -> str:
    """Compare ``candidate(**kwargs).update`` with ``reference(**kwargs).update`` step by step.

    Raises ``AssertionError`` describing the first difference; returns a short report if all agree.
    """
    checked = 0
    for description, init, grad in _problems():
        mine, theirs = candidate(**kwargs), reference(**kwargs)
        p_mine, p_ref = init(), init()
        for t in range(1, steps + 1):
            before = {k: v.copy() for k, v in p_mine.items()}
            try:
                mine.update(p_mine, grad(p_mine))
            except Exception as exc:  # the learner's code: report any failure in words
                raise AssertionError(f"on {description}, step {t}: your update raised {exc!r}") from exc
            theirs.update(p_ref, grad(p_ref))
            for key in p_ref:
                got, expected = np.asarray(p_mine[key]), p_ref[key]
                if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
                    if got.shape != expected.shape:
                        raise AssertionError(f"on {description}, step {t}: parameter {key!r} changed shape "
                                             f"from {expected.shape} to {got.shape}")
                    index = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(got - expected)), got.shape))
                    hint = _hint(expected - before[key], got - before[key], before[key], got)
                    raise AssertionError(
                        f"on {description}, step {t}, parameter {key!r}{list(index)}: expected "
                        f"{expected[index]:.10g}, got {got[index]:.10g}. Hint: {hint}."
                    )
            checked += 1
    return f"All good: your optimizer matches the reference on {checked} steps over 3 problems."


def _describe(args: tuple) -> str:
    """The arguments of a case, short: small values in full, arrays by their shape."""
    def one(a):
        a_array = np.asarray(a) if isinstance(a, (np.ndarray, list, tuple)) else None
        if a_array is not None and a_array.size > 6:
            return f"array of shape {a_array.shape}"
        return repr(a)
    return "(" + ", ".join(one(a) for a in args) + ")"


def check_function(candidate: Callable, reference: Callable, cases: Iterable[tuple], rtol: float = 1e-9) -> str:
    """Compare ``candidate(*args)`` with ``reference(*args)`` on each tuple of ``cases``.

    Raises ``AssertionError`` naming the first case and entry that differ, expected vs got."""
    n = 0
    for args in cases:
        n += 1
        where = f"case {n} {_describe(args)}"
        expected = np.asarray(reference(*args))
        try:
            got = np.asarray(candidate(*args))
        except Exception as exc:
            raise AssertionError(f"{where}: your function raised {exc!r}") from exc
        if got.shape != expected.shape:
            raise AssertionError(f"{where}: expected a result of shape {expected.shape}, got {got.shape}")
        if not np.allclose(got, expected, rtol=rtol, atol=1e-12, equal_nan=True):
            if expected.ndim == 0:
                raise AssertionError(f"{where}: expected {expected.item():.10g}, got {got.item():.10g}")
            gap = np.abs(got.astype(float) - expected.astype(float))
            index = [int(i) for i in np.unravel_index(np.nanargmax(gap), gap.shape)]
            raise AssertionError(f"{where}: entry {index} differs most: expected "
                                 f"{expected[tuple(index)]:.10g}, got {got[tuple(index)]:.10g}")
    return f"All good: your function matches the reference on {n} cases."


#: The relative offsets of ``holds_when_perturbed``: a few 1e-10, both signs, far above round-off
#: (1e-16) and far below anything a reader would call another experiment.
OFFSETS = (1e-10, -1e-10, 3e-10, -3e-10)


def _perturbed(value, offset: float, rng: np.random.Generator):
    """``value`` with every float entry times (1 + offset * r), r uniform in [-1, 1]; dicts, tuples
    and lists element by element; anything else (ints, strings, functions) as it is."""
    if isinstance(value, dict):
        return {k: _perturbed(v, offset, rng) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_perturbed(v, offset, rng) for v in value)
    if isinstance(value, (float, np.floating)) or (isinstance(value, np.ndarray) and value.dtype.kind == "f"):
        array = np.asarray(value)
        moved = (array * (1 + offset * rng.uniform(-1.0, 1.0, array.shape))).astype(array.dtype)
        if np.any(array != 0) and np.array_equal(moved, array):
            raise ValueError(f"a relative offset {offset:g} does not move this {array.dtype} input (its resolution "
                             f"is {np.finfo(array.dtype).eps:.1e}): pass offsets of at least about 10 times that, "
                             "e.g. offsets=(1e-6, -1e-6, 3e-6, -3e-6) for float32")
        return moved if isinstance(value, np.ndarray) else float(moved)
    return value


def _same(a, b) -> bool:
    """Whether ``b`` is ``a`` unchanged, bit for bit (dicts, tuples and lists entry by entry)."""
    if isinstance(a, dict):
        return all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (float, np.floating, np.ndarray)):
        return np.array_equal(a, b)
    return True


def holds_when_perturbed(claim: Callable, *inputs, offsets: Iterable[float] = OFFSETS, seed: int = 0) -> list:
    """Run ``claim(*inputs)`` as given, then with every float input moved by each relative offset.

    A claim that holds on one CPU and fails on another rests on a near-tie or a chaotic run: the last
    bits a CPU rounds differently are enough to flip it. Moving the inputs by 1e-10, far more than
    any CPU's round-off, shows the same thing on one machine. ``claim`` asserts (or returns False
    when the claim fails) and may return what it measured; the list of those returns comes back,
    the unperturbed run first, so a chapter can print the spread. Raises ``AssertionError`` naming
    the first offset under which the claim fails, and ``ValueError`` where the offsets cannot move
    the inputs (then the guard would test nothing): a float32 array needs offsets of ~1e-6.
    """
    rng = np.random.default_rng(seed)
    results = []
    for offset in (0.0, *offsets):
        moved = inputs if offset == 0.0 else tuple(_perturbed(x, offset, rng) for x in inputs)
        if offset != 0.0 and all(_same(a, b) for a, b in zip(inputs, moved)):
            raise ValueError("the offsets move none of the claim's inputs (all zero, or no floats among them): "
                             "the claim would only be run again as it is")
        try:
            result = claim(*moved)
        except AssertionError as exc:
            where = "as given" if offset == 0.0 else f"with its inputs moved by a relative {offset:+.0e}"
            raise AssertionError(f"the claim fails {where}: {exc}") from exc
        if isinstance(result, (bool, np.bool_)) and not result:
            where = "as given" if offset == 0.0 else f"with its inputs moved by a relative {offset:+.0e}"
            raise AssertionError(f"the claim fails {where}")
        results.append(result)
    return results
