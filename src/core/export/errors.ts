// Why a classifier cannot be exported.
import { CodedError } from '../../shared/index.js';

/** EXPORT_UNSUPPORTED: the model uses something the export cannot reproduce; EXPORT_OUTPUT: bad output place. */
export class ExportError extends CodedError<'EXPORT_UNSUPPORTED' | 'EXPORT_OUTPUT'> {}
