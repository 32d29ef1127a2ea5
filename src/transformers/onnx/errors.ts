// Why a model cannot be exported to ONNX.
import { CodedError } from '../../shared/index.js';

/** ONNX_UNSUPPORTED: the model uses something the exporter does not write (dtype, activation, family). */
export class OnnxExportError extends CodedError<'ONNX_UNSUPPORTED'> {}
