"""optim: the optimizers of the book, one short file each, and the tools its chapters use.

    >>> import numpy as np
    >>> from optim import Adam
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> Adam(lr=0.1).update(params, {"w": np.array([0.5, -0.5])})
    >>> params["w"]
    array([ 0.9, -1.9])

Learning-rate schedules (functions of the step, usable as any hyperparameter) are in
``optim.schedules``.
"""

from . import schedules
from .adadelta import AdaDelta
from .adafactor import Adafactor
from .adagrad import AdaGrad
from .adam import Adam
from .adamax import AdaMax
from .adamw import AdamW
from .amsgrad import AMSGrad
from .base import Optimizer
from .lion import Lion
from .momentum import Momentum
from .muon import Muon
from .nadam import NAdam
from .nesterov import Nesterov
from .prodigy import Prodigy
from .radam import RAdam
from .rmsprop import RMSprop
from .schedule_free import ScheduleFreeAdamW, ScheduleFreeSGD
from .sgd import SGD
from .shampoo import Shampoo
from .soap import SOAP
from .source import show
from .yogi import Yogi

#: The source article's six methods, and every optimizer of the book in chapter order.
SEED_OPTIMIZERS = (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam)
OPTIMIZERS = (SGD, Momentum, Nesterov, AdaGrad, RMSprop, AdaDelta, Adam, AdaMax, NAdam, AMSGrad, AdamW, Yogi, RAdam,
              Lion, Muon, Adafactor, Shampoo, SOAP, ScheduleFreeSGD, ScheduleFreeAdamW,
              Prodigy)

__all__ = [
    "OPTIMIZERS",
    "SEED_OPTIMIZERS",
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "AdaDelta",
    "AdaMax",
    "NAdam",
    "AMSGrad",
    "AdamW",
    "Yogi",
    "RAdam",
    "Lion",
    "Muon",
    "Adafactor",
    "Shampoo",
    "SOAP",
    "ScheduleFreeSGD",
    "ScheduleFreeAdamW",
    "Prodigy",
    "schedules",
    "show",
]
