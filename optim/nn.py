"""A small multilayer perceptron in numpy, with its own backpropagation.

Parameters and gradients are dicts ``{"W1": ..., "b1": ..., "W2": ..., "b2": ...}``: exactly what
``optimizer.update(params, grads)`` takes, so every optimizer of the book trains the network
unchanged. Layer ``l`` computes ``h_l = relu(h_{l-1} @ W_l + b_l)``; the last layer has no ReLU
and its outputs (the logits) go through a softmax into the cross-entropy loss.

Parameters are float32 by default, like PyTorch's: half the memory traffic of float64 and
enough precision for training. The gradient check in the tests uses float64, where central
differences are accurate to about 1e-9.

The comments (2)..(8) are the equation numbers of chapter 22, which derives every line.

A *stack* of networks, every array with a leading axis of length K (biases shaped (K, 1, n)),
runs K networks in one pass (see :func:`stack`): the losses then have shape (K,), and an
optimizer whose learning rate has shape (K, 1, 1) trains each with its own rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Params = dict[str, np.ndarray]


def init(sizes: Sequence[int], seed: int = 0, dtype: type = np.float32) -> Params:
    """He initialisation: ``W_l ~ N(0, 2 / fan_in)`` and ``b_l = 0``, for layer sizes like (64, 128, 10)."""
    rng = np.random.default_rng(seed)
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=False), start=1):
        params[f"W{layer}"] = (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(dtype)  # (8)
        params[f"b{layer}"] = np.zeros(fan_out, dtype=dtype)
    return params


def stack(params: Params, copies: int) -> Params:
    """``copies`` identical networks in one dict: a leading axis on every array, biases as rows."""
    return {k: np.repeat(v.reshape(1, -1, v.shape[-1]), copies, axis=0) for k, v in params.items()}


def _layers(params: Params) -> int:
    return len(params) // 2


def forward(params: Params, X: np.ndarray) -> np.ndarray:
    """The logits, shape (n, classes), for inputs ``X`` of shape (n, features)."""
    h = X
    for layer in range(1, _layers(params)):
        h = np.maximum(h @ params[f"W{layer}"] + params[f"b{layer}"], 0)  # (2)
    last = _layers(params)
    return h @ params[f"W{last}"] + params[f"b{last}"]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log softmax`` row by row, stable: shifting by the row's maximum changes nothing but avoids overflow."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # (4)


def cross_entropy(logits: np.ndarray,
                  y: np.ndarray) -> tuple[float | np.ndarray, np.ndarray]:
    """Mean cross-entropy of the labels ``y`` (integers 0..classes-1) under
    softmax(logits), and its gradient with respect to the logits."""
    log_p = log_softmax(logits)
    rows = np.arange(len(y))
    value = -log_p[..., rows, y].mean(axis=-1)  # (3)
    dlogits = np.exp(log_p)  # (5): (softmax - one_hot(y)) / n
    dlogits[..., rows, y] -= 1
    dlogits /= len(y)
    return (float(value) if value.ndim == 0 else value), dlogits


def loss(params: Params, X: np.ndarray, y: np.ndarray) -> float | np.ndarray:
    """Mean cross-entropy of the labels ``y`` under the network's softmax (one number per network)."""
    return cross_entropy(forward(params, X), y)[0]


def loss_and_grads(params: Params, X: np.ndarray,
                   y: np.ndarray) -> tuple[float | np.ndarray, Params]:
    """The mean cross-entropy and its gradient with respect to every parameter
    (backpropagation)."""
    L = _layers(params)
    hs = [X]  # the input of each layer, kept for the backward pass
    for layer in range(1, L):
        hs.append(np.maximum(
            hs[-1] @ params[f"W{layer}"] + params[f"b{layer}"], 0))  # (2)
    value, delta = cross_entropy(hs[-1] @ params[f"W{L}"] + params[f"b{L}"], y)
    grads = {}
    for layer in range(L, 0, -1):
        grads[f"W{layer}"] = hs[layer - 1].swapaxes(-1, -2) @ delta  # (6)
        grads[f"b{layer}"] = delta.sum(axis=-2).reshape(params[f"b{layer}"].shape)
        # back through the weights, then through the ReLU: slope 1 where it was active
        if layer > 1:
            delta = ((delta @ params[f"W{layer}"].swapaxes(-1, -2))
                     * (hs[layer - 1] > 0))  # (7)
    return value, {key: grads[key] for key in params}  # in the order of params


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    """The most probable class of each row of ``X``."""
    return forward(params, X).argmax(axis=-1)


def accuracy(params: Params, X: np.ndarray, y: np.ndarray) -> float | np.ndarray:
    """The fraction of rows of ``X`` whose predicted class is ``y``."""
    value = (predict(params, X) == y).mean(axis=-1)
    return float(value) if value.ndim == 0 else value
