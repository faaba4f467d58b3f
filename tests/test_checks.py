"""Bad input: the right error type, the culprit named, and no parameter touched."""

import numpy as np
import pytest

import optim
from optim import (
    OPTIMIZERS,
    SEED_OPTIMIZERS,
    SGD,
    AdaDelta,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    Lion,
    Momentum,
    Muon,
    NAdam,
    Nesterov,
    RAdam,
    RMSprop,
    Yogi,
)

SEED = list(SEED_OPTIMIZERS)
ALL = list(OPTIMIZERS)


def fresh():
    return {"w": np.array([1.0, 2.0, 3.0]), "b": np.array([0.5])}


def good_grads():
    return {"w": np.array([0.1, -0.2, 0.3]), "b": np.array([0.4])}


def assert_untouched(cls, params, grads, error, *words):
    opt = cls()
    before = {k: np.copy(v) for k, v in params.items()}
    with pytest.raises(error) as info:
        opt.update(params, grads)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {info.value}"
    for k in before:
        np.testing.assert_array_equal(params[k], before[k])
    assert opt.t == 0 and opt.state == {}, "a failed update must not count or create state"


@pytest.mark.parametrize("cls", ALL)
def test_missing_gradient_key(cls):
    grads = good_grads()
    del grads["b"]
    assert_untouched(cls, fresh(), grads, KeyError, "'b'")


@pytest.mark.parametrize("cls", ALL)
def test_extra_gradient_key(cls):
    assert_untouched(cls, fresh(), {**good_grads(), "bias": np.zeros(1)}, KeyError, "'bias'")


@pytest.mark.parametrize("cls", ALL)
def test_shape_mismatch_in_a_later_key_leaves_earlier_keys_alone(cls):
    grads = good_grads()
    grads["b"] = np.zeros(2)
    assert_untouched(cls, fresh(), grads, ValueError, "'b'", "(2,)", "(1,)")


@pytest.mark.parametrize("cls", ALL)
def test_integer_parameter(cls):
    params = fresh()
    params["b"] = np.array([1])
    assert_untouched(cls, params, good_grads(), TypeError, "'b'", "int")


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradient(cls, bad):
    grads = good_grads()
    grads["b"] = np.array([bad])
    assert_untouched(cls, fresh(), grads, ValueError, "'b'", "non-finite")


@pytest.mark.parametrize("cls", ALL)
def test_parameter_that_is_not_an_array(cls):
    params = fresh()
    params["b"] = 0.5
    assert_untouched(cls, params, good_grads(), TypeError, "'b'", "numpy array")


def test_huge_but_finite_gradients_are_accepted():
    params = {"w": np.zeros(4, dtype=np.float32)}
    SGD(lr=1e-38).update(params, {"w": np.full(4, 3e38, dtype=np.float32)})  # the sum overflows
    assert np.all(params["w"] < 0)


@pytest.mark.parametrize("value", [-0.1, np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("cls", ALL)
def test_bad_learning_rate(cls, value):
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        cls(lr=value)


@pytest.mark.parametrize(
    "cls, name",
    [(Momentum, "momentum"), (Nesterov, "momentum"), (RMSprop, "decay_rate"), (Adam, "beta1"), (Adam, "beta2")]
    + [(AdaDelta, "rho"), (Muon, "momentum")]
    + [(cls, beta) for cls in (AdaMax, NAdam, AMSGrad, AdamW, Yogi, RAdam, Lion) for beta in ("beta1", "beta2")],
)
@pytest.mark.parametrize("value", [-0.01, 1.0, 1.5, np.nan])
def test_rate_outside_unit_interval(cls, name, value):
    with pytest.raises(ValueError, match=rf"{name} must be in \[0, 1\)"):
        cls(**{name: value})


@pytest.mark.parametrize("cls", [AdaGrad, RMSprop, Adam, AdaDelta, AdaMax, NAdam, AMSGrad, AdamW, Yogi, RAdam, Muon])
def test_negative_eps(cls):
    with pytest.raises(ValueError, match="eps must be"):
        cls(eps=-1e-8)


@pytest.mark.parametrize(
    "cls, name", [(AdamW, "weight_decay"), (Lion, "weight_decay"), (Muon, "weight_decay"), (NAdam, "momentum_decay"),
                  (Yogi, "v0")]
)
@pytest.mark.parametrize("value", [-1e-3, np.inf, np.nan])
def test_negative_or_infinite_nonnegative_hyperparameters(cls, name, value):
    with pytest.raises(ValueError, match=f"{name} must be a finite number >= 0"):
        cls(**{name: value})


def test_muon_refuses_a_vector_before_touching_anything():
    params = {"W": np.ones((2, 3)), "b": np.ones(3)}
    before = {k: v.copy() for k, v in params.items()}
    opt = Muon()
    with pytest.raises(ValueError, match=r"Muon updates matrices, but parameter 'b' has shape \(3,\)"):
        opt.update(params, {"W": np.ones((2, 3)), "b": np.ones(3)})
    for k in before:
        np.testing.assert_array_equal(params[k], before[k])
    assert opt.t == 0 and opt.state == {}


def test_muon_unknown_lr_adjustment():
    with pytest.raises(ValueError, match="adjust_lr must be one of"):
        Muon(adjust_lr="spectral")


def test_muon_unknown_layout():
    with pytest.raises(ValueError, match=r"layout must be one of \('out_in', 'in_out'\).*got 'rows'"):
        Muon(layout="rows")


def test_bad_value_inside_a_hyperparameter_array():
    with pytest.raises(ValueError, match="lr must be .* got -1.0"):
        SGD(lr=np.array([[0.1], [-1.0]]))


def test_hyperparameter_of_wrong_type():
    with pytest.raises(TypeError, match="lr must be a number"):
        SGD(lr="0.1")
    with pytest.raises(TypeError, match="momentum must be a number"):
        Momentum(momentum=True)


def test_setting_a_bad_hyperparameter_later_is_refused():
    opt = Adam()
    with pytest.raises(ValueError, match="beta2"):
        opt.beta2 = 1.0
    assert opt.beta2 == 0.999


def test_schedule_with_a_bad_value_fails_before_touching_params():
    opt = SGD(lr=lambda t: 0.1 if t < 3 else -0.1)
    params = fresh()
    opt.update(params, good_grads())
    opt.update(params, good_grads())
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match="lr must be"):
        opt.update(params, good_grads())
    for k in before:
        np.testing.assert_array_equal(params[k], before[k])
    assert opt.t == 2 and opt.lr == 0.1


def test_hyperparameter_array_that_does_not_broadcast():
    params = {"xy": np.zeros((4, 2))}
    opt = Adam(lr=np.full((3, 1), 0.1))
    with pytest.raises(ValueError, match=r"lr has shape \(3, 1\).*'xy'"):
        opt.update(params, {"xy": np.ones((4, 2))})
    np.testing.assert_array_equal(params["xy"], 0)


def test_hyperparameter_array_may_not_grow_the_parameter():
    """In-place updates cannot change a parameter's shape."""
    params = {"xy": np.zeros(2)}
    with pytest.raises(ValueError, match="does not broadcast to parameter 'xy'"):
        SGD(lr=np.full((3, 1), 0.1)).update(params, {"xy": np.ones(2)})


def test_dicts_are_required():
    with pytest.raises(TypeError, match="dicts"):
        SGD().update([np.zeros(2)], [np.zeros(2)])


def test_all_exports_are_optimizers():
    for name in optim.__all__:
        obj = getattr(optim, name)
        if isinstance(obj, type):
            assert issubclass(obj, optim.Optimizer)
