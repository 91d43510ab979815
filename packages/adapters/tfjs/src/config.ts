import { z } from 'zod';

export const tfjsConfigSchema = z.object({
  path: z
    .string()
    .min(1)
    .describe('Path to the model.json of a TF.js LayersModel or GraphModel, or to the folder that contains it')
    .meta({ title: 'Model file or folder' }),
  backend: z
    .enum(['auto', 'wasm', 'cpu', 'tensorflow'])
    .default('auto')
    .describe(
      'TF.js backend: "auto" tries tfjs-node-gpu, tfjs-node, wasm, then cpu; "tensorflow" needs @tensorflow/tfjs-node installed separately',
    )
    .meta({ title: 'Backend' }),
  outputKind: z
    .enum(['auto', 'logits', 'probabilities'])
    .default('auto')
    .describe(
      'What the model outputs; "auto" uses modelseal-model.json when present, else probabilities if the last layer is a softmax, else logits',
    )
    .meta({ title: 'Output kind' }),
  valueRange: z
    .tuple([z.number(), z.number()])
    .refine(([lo, hi]) => lo < hi, 'the lower bound must be below the upper bound')
    .optional()
    .describe('Inclusive range of input values the model expects, e.g. [0, 1] or [0, 255]; default from modelseal-model.json, else [0, 1]')
    .meta({ title: 'Input value range' }),
  layout: z
    .enum(['auto', 'NHWC', 'NCHW', 'flat'])
    .default('auto')
    .describe('Layout of one input sample; "auto" means NHWC for image inputs (the TensorFlow convention) and flat for vectors')
    .meta({ title: 'Input layout' }),
  inputShape: z
    .array(z.number().int().positive())
    .min(1)
    .optional()
    .describe('Shape of one sample without the batch dimension, e.g. [28, 28, 1]; needed only when the model leaves dimensions unknown')
    .meta({ title: 'Input shape' }),
  classNames: z
    .array(z.string())
    .min(2)
    .optional()
    .describe('Name of each output class, in output order; default from modelseal-model.json')
    .meta({ title: 'Class names' }),
  maxBatchSize: z
    .number()
    .int()
    .positive()
    .max(65_536)
    .default(256)
    .describe('Largest number of samples sent through the model at once; bigger batches are split')
    .meta({ title: 'Largest batch' }),
});

export type TfjsConfig = z.output<typeof tfjsConfigSchema>;
export type TfjsConfigInput = z.input<typeof tfjsConfigSchema>;
