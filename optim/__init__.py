"""optim: the optimizers of the book, one short file each, and the tools its chapters use.

    >>> import numpy as np
    >>> from optim import Adam
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> Adam(lr=0.1).update(params, {"w": np.array([0.5, -0.5])})
    >>> params["w"]
    array([ 0.9, -1.9])
"""

from .adagrad import AdaGrad
from .adam import Adam
from .base import Optimizer
from .momentum import Momentum
from .nesterov import Nesterov
from .rmsprop import RMSprop
from .sgd import SGD
from .source import show

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "show"]
