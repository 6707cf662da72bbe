"""Reference implementation of the course: backpropagation from first principles.

Column convention throughout: a sample is an (n, 1) column, a mini-batch of m
samples is (n, m); ``weights[i]``/``biases[i]`` hold layer i + 2 (layer 1 is the input).
"""

from .activations import perceptron_output, sigmoid, sigmoid_neuron_output, sigmoid_prime
from .backprop_equations import (
    bp1_output_error,
    bp2_hidden_error,
    bp3_bias_gradient,
    bp4_weight_gradient,
)
from .bias_folding import (
    add_constant_input,
    feedforward_folded,
    feedforward_rows,
    fold_bias,
    to_row_convention,
    unfold_bias,
)
from .costs import (
    CROSS_ENTROPY,
    QUADRATIC,
    SOFTMAX_CROSS_ENTROPY,
    Cost,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    categorical_cross_entropy,
    cross_entropy_output_error,
    quadratic_cost,
    quadratic_cost_gradient,
    quadratic_output_error,
    softmax,
)
from .gradcheck import (
    GradientCheck,
    central_difference,
    check_gradients,
    forward_difference,
    numerical_gradients,
    relative_error,
)
from .hadamard import hadamard
from .network import (
    backprop,
    backprop_per_example,
    check_input,
    copy_parameters,
    feedforward,
    init_network,
    total_cost,
)
from .plots import plot_saturated_start, plot_sigmoid, plot_training_curves
from .toy_networks import (
    chain_111_cost,
    chain_111_gradient,
    gradients_by_paths,
    logistic_least_squares,
    logistic_least_squares_gradient,
    weight_gradient_by_paths,
)
from .training import History, SaturatedRun, accuracy, minibatches, record_epoch, saturated_start, sgd, sgd_step
