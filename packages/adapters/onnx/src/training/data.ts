// Shared by the TF.js and ONNX fine-tunes, so one seed picks the same batches in either runtime.
export { batchSampler, checkLabelledBatch, type LabelledBatch } from '@modelseal/core';
