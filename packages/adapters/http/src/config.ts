import { z } from 'zod';

export const PROTOCOLS = ['oip-v2', 'tfserving'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const httpAdapterConfigSchema = z
  .object({
    url: z
      .string()
      .min(1)
      .describe(
        'Model URL, e.g. https://host/v2/models/NAME (Open Inference Protocol v2 / KServe) or https://host/v1/models/NAME (TensorFlow Serving).',
      )
      .meta({ title: 'Model URL' }),
    protocol: z
      .enum(['auto', ...PROTOCOLS])
      .default('auto')
      .describe('Wire protocol; "auto" infers it from the URL path (/v2/models/… or /v1/models/…).')
      .meta({ title: 'Protocol' }),
    modelVersion: z
      .string()
      .min(1)
      .optional()
      .describe('Model version to address (…/versions/VERSION); the server default when empty.')
      .meta({ title: 'Model version' }),
    inputName: z
      .string()
      .min(1)
      .optional()
      .describe('Name of the input tensor; needed only when the model has several inputs.')
      .meta({ title: 'Input tensor' }),
    outputName: z
      .string()
      .min(1)
      .optional()
      .describe('Name of the output tensor to read; needed only when the model has several outputs.')
      .meta({ title: 'Output tensor' }),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('HTTP headers sent with every request, e.g. {"Authorization": "Bearer …"}. Treated as secrets: never logged.')
      .meta({ title: 'HTTP headers' }),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Time allowed for one request, from sending to the whole answer, in milliseconds.')
      .meta({ title: 'Timeout (ms)' }),
    retries: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(3)
      .describe('Retries after 429/502/503/504, timeouts and connection errors, with exponential backoff and jitter (Retry-After is honoured).')
      .meta({ title: 'Retries' }),
    maxBatchSize: z
      .number()
      .int()
      .positive()
      .default(64)
      .describe('Most samples sent in one request; bigger batches are split.')
      .meta({ title: 'Largest batch' }),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(32)
      .default(2)
      .describe('Most requests in flight at once when a batch is split.')
      .meta({ title: 'Concurrent requests' }),
    outputKind: z
      .enum(['auto', 'logits', 'probabilities'])
      .default('auto')
      .describe('What the model returns. "auto": probabilities when the first answer has non-negative rows summing to 1, else logits (softmax applied).')
      .meta({ title: 'Output kind' }),
    inputShape: z
      .array(z.number().int().positive())
      .min(1)
      .optional()
      .describe('Shape of one sample without the batch dimension, e.g. [1, 28, 28]. Read from the model metadata when omitted (required for TF Serving without metadata).')
      .meta({ title: 'Input shape' }),
    numClasses: z
      .number()
      .int()
      .min(2)
      .optional()
      .describe('Number of classes. Read from the output shape in the metadata when omitted (required for TF Serving without metadata).')
      .meta({ title: 'Number of classes' }),
    layout: z
      .enum(['NCHW', 'NHWC', 'flat'])
      .optional()
      .describe('Memory layout of one sample; guessed from inputShape when omitted.')
      .meta({ title: 'Input layout' }),
    valueRange: z
      .tuple([z.number(), z.number()])
      .refine(([lo, hi]) => lo < hi, 'the lower bound must be below the upper bound')
      .default([0, 1])
      .describe('Inclusive range of input values the model expects, [lo, hi].')
      .meta({ title: 'Input value range' }),
    queryBudget: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Most samples this adapter may send in total (retries included); a request that would exceed it fails before it is sent.')
      .meta({ title: 'Query budget' }),
    allowPrivate: z
      .boolean()
      .default(false)
      .describe('Allow loopback, private, link-local and other internal addresses. Off by default so that a model URL cannot reach internal services.')
      .meta({ title: 'Allow private addresses' }),
    allowHosts: z
      .array(z.string().min(1))
      .default([])
      .describe('Host names, IP addresses or CIDR ranges (e.g. "10.1.2.0/24") allowed even though they are internal.')
      .meta({ title: 'Allowed internal hosts' }),
  })
  .strict();

export type HttpAdapterConfig = z.output<typeof httpAdapterConfigSchema>;
export type HttpAdapterConfigInput = z.input<typeof httpAdapterConfigSchema>;
