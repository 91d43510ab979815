import { z } from 'zod';

export const onnxConfigSchema = z.object({
  path: z
    .string()
    .min(1)
    .describe('Path of the .onnx file (relative paths start from the working folder).')
    .meta({ title: 'Model file' }),
  outputKind: z
    .enum(['auto', 'logits', 'probabilities'])
    .default('auto')
    .describe('What the model outputs. "auto": probabilities when the output comes from a Softmax node, else logits (softmax is then applied).')
    .meta({ title: 'Output kind' }),
  valueRange: z
    .tuple([z.number(), z.number()])
    .refine(([lo, hi]) => lo < hi, { message: 'the lower bound must be below the upper bound' })
    .default([0, 1])
    .describe('Inclusive range of input values the model expects, e.g. [0, 1] for pixel/255.')
    .meta({ title: 'Input value range' }),
  layout: z
    .enum(['NCHW', 'NHWC', 'flat'])
    .optional()
    .describe('Layout of one sample. Default: NCHW when a 3-D sample starts with 1 or 3 channels, NHWC otherwise; flat for vectors.')
    .meta({ title: 'Input layout' }),
  inputShape: z
    .array(z.number().int().positive())
    .min(1)
    .optional()
    .describe('Shape of one sample without the batch dimension; required only when the model leaves dimensions other than the batch symbolic.')
    .meta({ title: 'Input shape' }),
  maxBatchSize: z
    .number()
    .int()
    .positive()
    .max(65_536)
    .default(100)
    .describe('Most samples sent to ONNX Runtime in one run; larger requests are split.')
    .meta({ title: 'Largest batch' }),
  threads: z
    .number()
    .int()
    .positive()
    .max(1024)
    .optional()
    .describe('Threads ONNX Runtime uses inside one operator. Default: every core of the machine.')
    .meta({ title: 'Threads' }),
  executionProvider: z
    .enum(['auto', 'cpu', 'cuda'])
    .default('auto')
    .describe('Where the model runs. "auto" and "cuda" use CUDA when ONNX Runtime can load it and otherwise fall back to CPU, with a log line.')
    .meta({ title: 'Execution provider' }),
  classNames: z
    .array(z.string())
    .min(2)
    .optional()
    .describe('Names of the classes, in output order.')
    .meta({ title: 'Class names' }),
});

export type OnnxAdapterConfig = z.output<typeof onnxConfigSchema>;
export type OnnxAdapterConfigInput = z.input<typeof onnxConfigSchema>;
