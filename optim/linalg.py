"""Matrix functions for the Kronecker-factored optimizers (Shampoo, SOAP), by eigendecomposition.

Both work on a stack of matrices: the last two axes are the matrix, any leading axes a batch.
"""

import numpy as np


def transpose(x: np.ndarray) -> np.ndarray:
    """The transpose of every matrix of a stack."""
    return x.swapaxes(-1, -2)


def inverse_root(x: np.ndarray, p: float, floor=0.0) -> np.ndarray:
    """x^(-1/p) for symmetric positive definite x = Q diag(l) Q^T:
    Q diag(max(l, floor)^(-1/p)) Q^T. It does not depend on which
    eigenvectors eigh returns for a repeated eigenvalue. `floor` is the
    least eigenvalue x has in exact arithmetic: round-off (a float32 sum of
    many G G^T) can push one below it, even below 0. It is a number, or one
    per matrix of a stack (shape (..., 1, 1), as the stack's hyperparameters).
    """
    eigenvalues, q = np.linalg.eigh(x)
    floor = np.asarray(floor)[..., 0] if np.ndim(floor) else floor  # (..., 1)
    eigenvalues = np.maximum(eigenvalues, floor)
    return (q * eigenvalues[..., None, :] ** (-1.0 / p)) @ transpose(q)


def eigenbasis(x: np.ndarray) -> np.ndarray:
    """The eigenvectors of symmetric x as columns, largest eigenvalue first."""
    return np.linalg.eigh(x)[1][..., ::-1]


def refine_eigenbasis(x: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One step of power iteration from the basis q, as SOAP's authors do it.

    Sorts q's columns by their Rayleigh quotients q_i^T x q_i (largest
    first), then returns the Q of the QR decomposition of x @ q_sorted,
    and the sorting order.
    """
    rayleigh = np.einsum("...ij,...ik,...kj->...j", q, x, q)
    order = np.argsort(-rayleigh, axis=-1, kind="stable")
    q_sorted = np.take_along_axis(q, order[..., None, :], axis=-1)
    return np.linalg.qr(x @ q_sorted)[0], order


def check_matrices(name: str, params, factor_hyperparameters: dict) -> None:
    """Refuse what a Kronecker-factored method cannot take, naming the culprit.

    Every parameter must be a matrix (or a stack of them: the last two axes). A hyperparameter
    that enters the factor matrices (m x m and n x n, not m x n) may be an array only if its
    last two axes have length 1: it then sets one value per matrix of a stack.
    """
    for key, p in params.items():
        if p.ndim < 2:
            raise ValueError(f"{name} updates matrices, but parameter {key!r} has shape {p.shape}: give it "
                             "two axes, or optimise it with another method (e.g. AdamW)")
    for hyper, value in factor_hyperparameters.items():
        if isinstance(value, np.ndarray) and value.ndim and (value.ndim < 2 or value.shape[-2:] != (1, 1)):
            raise ValueError(f"{hyper} enters {name}'s factor matrices, so an array of it needs shape "
                             f"(..., 1, 1) (one value per matrix of a stack), got {value.shape}")
