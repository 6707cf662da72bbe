"""Reference implementation of the course: backpropagation from first principles.

Column convention throughout: a sample is an (n, 1) column, a mini-batch of m
samples is (n, m); ``weights[i]``/``biases[i]`` hold layer i + 2 (layer 1 is the input).
"""

from .activations import perceptron_output, sigmoid, sigmoid_neuron_output, sigmoid_prime
from .autodiff import Value, as_value, backward, local_gradients, topological_order, value_sum
from .autodiff_network import network_cost_graph, node_gradients
from .backprop_activation import backprop_with_activation
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
from .deep_experiments import enlarge_digits, first_epoch_costs, train_l2
from .gradcheck import (
    GradientCheck,
    central_difference,
    check_gradients,
    forward_difference,
    numerical_gradients,
    relative_error,
)
from .hadamard import hadamard
from .initialisation import init_gaussian
from .network import (
    backprop,
    backprop_per_example,
    check_input,
    copy_parameters,
    feedforward,
    init_network,
    total_cost,
)
from .other_activations import relu, relu_prime, tanh, tanh_prime
from .plots import plot_saturated_start, plot_sigmoid, plot_training_curves
from .regularisation import l2_cost, sgd_step_l2
from .softmax_layer import softmax_backward
from .toy_networks import (
    chain_111_cost,
    chain_111_gradient,
    gradients_by_paths,
    logistic_least_squares,
    logistic_least_squares_gradient,
    weight_gradient_by_paths,
)
from .training import History, SaturatedRun, accuracy, minibatches, record_epoch, saturated_start, sgd, sgd_step
from .vanishing import gradient_norms
