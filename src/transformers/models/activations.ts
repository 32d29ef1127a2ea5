// Activation functions by the names config.json uses (hidden_act / activation).
import type { Tensor } from '../../engine/index.js';
import { ModelError } from './errors.js';

const ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = {
  gelu: (x) => x.gelu(),
  gelu_new: (x) => x.gelu('tanh'),
  gelu_pytorch_tanh: (x) => x.gelu('tanh'),
  relu: (x) => x.relu(),
  silu: (x) => x.silu(),
  swish: (x) => x.silu(),
  tanh: (x) => x.tanh(),
  quick_gelu: (x) => x.mul(x.mul(1.702).sigmoid()),
};

/** The activation named `name`, or a clear error listing the supported names. */
export function activation(name: string, field = 'hidden_act'): (x: Tensor) => Tensor {
  const fn = ACTIVATIONS[name];
  if (!fn) {
    throw new ModelError(
      'MODEL_UNSUPPORTED',
      `config.json: ${field} "${name}" is not supported; supported: ${Object.keys(ACTIVATIONS).join(', ')}.`,
    );
  }
  return fn;
}
