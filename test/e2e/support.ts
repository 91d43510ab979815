// Shared steps of the end-to-end stories: accounts, model uploads, a webhook receiver.
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import { readModelFolder, tamperTfjsWeights } from '../../apps/web/server/tamper.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEMO_MODEL_DIR = join(REPO_ROOT, 'models', 'mnist-cnn');
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
export const PASSWORD = 'correct horse battery';

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function signUp(page: Page, email: string, name: string): Promise<void> {
  await page.goto('/sign-up');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await expect(page.getByText('Welcome to ModelSeal')).toBeVisible();
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/sign-in');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}

/** The model files of the demo model, as they are or with noise on every weight. */
export async function modelFiles(kind: 'original' | 'tampered'): Promise<string[]> {
  if (kind === 'original') return ['model.json', 'weights.bin', 'modelseal-model.json'].map((f) => join(DEMO_MODEL_DIR, f));
  const dir = await mkdtemp(join(tmpdir(), 'modelseal-e2e-tampered-'));
  const files = tamperTfjsWeights(await readModelFolder(DEMO_MODEL_DIR), { std: 1e-4, seed: 11 });
  await Promise.all(files.map((f) => writeFile(join(dir, f.path), f.bytes)));
  return files.map((f) => join(dir, f.path));
}

/** Registers a TF.js model by uploading its files; answers the model page's URL. */
export async function uploadModel(page: Page, projectId: string, name: string, files: string[]): Promise<string> {
  await page.goto(`/p/${projectId}/models/new`);
  await page.fill('input[name=name]', name);
  await page.locator('[data-testid=adapter-option][data-kind=tfjs]').click();
  await page.setInputFiles('[data-testid=model-files]', files);
  await page.click('[data-testid=register-submit]');
  await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
  return page.url();
}

export interface ReceivedAlert {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local receiver standing in for the team's alerting endpoint. */
export async function startReceiver(): Promise<{ url: string; received: ReceivedAlert[]; close(): Promise<void> }> {
  const received: ReceivedAlert[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/modelseal`, received, close: () => new Promise((done) => server.close(() => done())) };
}

/** What a receiver checks (documented on the webhooks page): HMAC-SHA256 of "<timestamp>.<body>". */
export function signatureIsValid(secret: string, alert: ReceivedAlert): boolean {
  const timestamp = String(alert.headers['x-modelseal-timestamp'] ?? '');
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${alert.body}`).digest('hex')}`;
  return alert.headers['x-modelseal-signature'] === expected;
}

/** A folder of MNIST test digits as PNGs, one sub-folder per class: what a team would upload. */
export async function sampleFolder(perClass: number, classes: readonly number[]): Promise<string> {
  const { encodePng, loadDataset } = await import('@modelseal/datasets');
  const digits = (await loadDataset('mnist')).test;
  const root = await mkdtemp(join(tmpdir(), 'modelseal-e2e-samples-'));
  const folder = join(root, 'our-digits');
  for (const digit of classes) {
    await mkdir(join(folder, String(digit)), { recursive: true });
    let n = 0;
    for (let i = 0; i < digits.count && n < perClass; i += 1) {
      if (digits.labels[i] !== digit) continue;
      await writeFile(join(folder, String(digit), `${String(n).padStart(3, '0')}.png`), encodePng(digits, i));
      n += 1;
    }
  }
  return folder;
}
