// Public API of parameter-efficient fine-tuning: LoRA adapters in the PEFT format.
export {
  type LoraOptions,
  AdapterError,
  applyLora,
  trainableParameters,
  saveLoraAdapter,
  loadLoraAdapter,
  mergeLora,
} from './lora.js';
