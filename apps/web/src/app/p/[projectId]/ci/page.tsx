'use client';
// "Use from CI": copy-paste snippets that audit a deployed model from a pipeline and fail the
// build when the seal is broken, filled in with this project's ids and this server's address.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState, useSyncExternalStore } from 'react';
import { useProject } from '../../../../client/project.ts';
import { useTRPC } from '../../../../client/trpc.ts';
import { CodeBlock } from '../../../../components/ops/CopyButton.tsx';
import { QueryError } from '../../../../components/ops/QueryError.tsx';
import { ErrorBox, Loading, PageHeader } from '../../../../components/ui.tsx';

/**
 * How long runAndWait may hold the request open. Node's fetch gives up on a response whose
 * headers take over 300 s, and proxies often cut sooner, so stay under that and treat
 * "still running" as a failure the pipeline can retry.
 */
const WAIT_MS = 240_000;

const noSubscribe = () => () => {};

/** The address this dashboard was opened at (empty while rendering on the server). */
function useOrigin(): string {
  return useSyncExternalStore(
    noSubscribe,
    () => window.location.origin,
    () => '',
  );
}

interface SnippetIds {
  readonly origin: string;
  readonly projectId: string;
  readonly modelId: string;
  readonly triggerSetId: string;
  readonly mode: 'label' | 'probability';
}

function typescriptSnippet({ origin, projectId, modelId, triggerSetId, mode }: SnippetIds): string {
  return `// modelseal-audit.ts: run with \`npx tsx modelseal-audit.ts\` (Node 20+).
// npm i @trpc/client@11.22.1; AppRouter is a type-only import from the ModelSeal repository's
// packages/api (add it as a dev dependency or path alias; nothing of it runs here).
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '@modelseal/api';

const client = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: '${origin}/api/trpc',
      headers: { Authorization: 'Bearer ' + process.env.MODELSEAL_API_KEY },
    }),
  ],
});

// Queues an audit and waits for its verdict (at most timeoutMs; then done is false).
const result = await client.audits.runAndWait
  .mutate({
    projectId: '${projectId}',
    modelId: '${modelId}',
    triggerSetId: '${triggerSetId}',
    mode: '${mode}',
    timeoutMs: ${WAIT_MS},
  })
  .catch((error: unknown) => {
    // A bad key, a wrong id, the server unreachable: no verdict.
    console.error(\`ModelSeal call failed: \${error instanceof Error ? error.message : String(error)}\`);
    process.exit(2);
  });

if (!result.done) {
  console.error(\`audit still running after the timeout: job \${result.jobId} (poll audits.byJob)\`);
  process.exit(2);
}
if (!result.audit) {
  console.error(\`audit job \${result.status}: \${result.error ?? 'no result'}\`);
  process.exit(2);
}
const { intact, changeRate, changedIndices, queries } = result.audit;
console.log(
  \`\${intact ? 'INTACT' : 'TAMPERED'}: ChangeRate \${(changeRate * 100).toFixed(1)} % \` +
    \`(\${changedIndices.length} changed, \${queries} queries), audit \${result.audit.id}\`,
);
// Like \`modelseal verify\`: 0 intact, 1 tampered, 2 could not tell.
process.exit(intact ? 0 : 1);
`;
}

function body({ projectId, modelId, triggerSetId, mode }: SnippetIds): string {
  return JSON.stringify({ projectId, modelId, triggerSetId, mode, timeoutMs: WAIT_MS });
}

const JQ_VERDICT = `if .result.data.audit == null then "error" elif .result.data.audit.intact then "intact" else "tampered" end`;

/** The call and the verdict it prints, shared by the shell and GitHub Actions snippets; `indent` prefixes every line. */
function curlAudit(ids: SnippetIds, indent: string): string {
  return [
    `curl -sS --max-time ${WAIT_MS / 1000 + 30} -X POST '${ids.origin}/api/trpc/audits.runAndWait' \\`,
    `  -H "Authorization: Bearer $MODELSEAL_API_KEY" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${body(ids)}' \\`,
    '  -o audit.json',
    'cat audit.json; echo',
    `verdict=$(jq -r '${JQ_VERDICT}' audit.json)`,
  ]
    .map((line) => indent + line)
    .join('\n');
}

function curlSnippet(ids: SnippetIds): string {
  return `# tRPC over plain HTTP: POST the input as the JSON body; the answer is {"result":{"data":…}}
# (or {"error":{…}} with an HTTP error status).
${curlAudit(ids, '')}
echo "verdict: $verdict"
case "$verdict" in
  intact) exit 0 ;;
  tampered) exit 1 ;;
  *) exit 2 ;;
esac
`;
}

function githubSnippet(ids: SnippetIds): string {
  return `# .github/workflows/deploy.yml, after the step that deploys the model.
# Add the API key as a repository secret named MODELSEAL_API_KEY.
      - name: Check the deployed model's ModelSeal
        env:
          MODELSEAL_API_KEY: \${{ secrets.MODELSEAL_API_KEY }}
        run: |
${curlAudit(ids, '          ')}
          echo "ModelSeal verdict: $verdict"
          test "$verdict" = intact
`;
}

export default function CiPage() {
  const trpc = useTRPC();
  const { projectId, role, isOwner } = useProject();
  const origin = useOrigin();
  const models = useQuery(trpc.models.list.queryOptions({ projectId }));
  const [chosenModel, setChosenModel] = useState('');
  const modelId = chosenModel || models.data?.[0]?.id || '';
  const sets = useQuery({ ...trpc.triggerSets.list.queryOptions({ projectId, modelId }), enabled: Boolean(modelId) });
  const [chosenSet, setChosenSet] = useState('');
  const triggerSetId = sets.data?.some((s) => s.id === chosenSet) ? chosenSet : (sets.data?.[0]?.id ?? '');
  const [mode, setMode] = useState<'label' | 'probability'>('label');
  const ids: SnippetIds = useMemo(
    () => ({ origin: origin || 'https://modelseal.example.com', projectId, modelId: modelId || 'MODEL_ID', triggerSetId: triggerSetId || 'TRIGGER_SET_ID', mode }),
    [origin, projectId, modelId, triggerSetId, mode],
  );
  const complete = Boolean(modelId && triggerSetId);
  return (
    <>
      <PageHeader title="Use from CI">
        Audit the deployed model from your pipeline and fail the build when its seal is broken. The snippets below are filled in with this
        project’s ids.
      </PageHeader>
      <section className="card stack" aria-labelledby="ci-choose-heading">
        <h2 id="ci-choose-heading" className="first">
          1. Choose what to audit
        </h2>
        {models.isPending ? (
          <Loading what="models" />
        ) : models.isError ? (
          <QueryError error={models.error} what="models" role={role} />
        ) : models.data.length === 0 ? (
          <p className="notice">
            This project has no models yet. <Link href={`/p/${projectId}/models`}>Register a model</Link> and make a trigger set for it first; until then the
            snippets show MODEL_ID and TRIGGER_SET_ID.
          </p>
        ) : (
          <div className="row">
            <label>
              Model
              <select
                aria-label="Model"
                data-testid="ci-model"
                value={modelId}
                onChange={(e) => {
                  setChosenModel(e.target.value);
                  setChosenSet('');
                }}
              >
                {models.data.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Trigger set
              <select
                aria-label="Trigger set"
                data-testid="ci-trigger-set"
                value={triggerSetId}
                disabled={!sets.data || sets.data.length === 0}
                onChange={(e) => setChosenSet(e.target.value)}
              >
                {(sets.data ?? []).length === 0 ? <option value="">{sets.isPending ? 'loading…' : 'none for this model'}</option> : null}
                {(sets.data ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name} ({s.sampleCount} samples)
                  </option>
                ))}
              </select>
            </label>
            <label>
              Mode
              <select aria-label="Mode" data-testid="ci-mode" value={mode} onChange={(e) => setMode(e.target.value as 'label' | 'probability')}>
                <option value="label">label (top-1 labels)</option>
                <option value="probability">probability (whole vectors)</option>
              </select>
            </label>
          </div>
        )}
        <ErrorBox error={sets.error} />
        {models.data && models.data.length > 0 && sets.isSuccess && sets.data.length === 0 ? (
          <p className="notice">
            This model has no trigger set yet: <Link href={`/p/${projectId}/models/${modelId}`}>make one on its page</Link>.
          </p>
        ) : null}
        <h2>2. Give the pipeline an API key</h2>
        <p>
          Create a key with the <strong>member</strong> role (viewers cannot start audits) on{' '}
          <Link href={`/p/${projectId}/settings`} data-testid="ci-create-key-link">
            Members &amp; keys
          </Link>
          {isOwner ? '' : ' (an owner has to do this)'} and store it as the secret <code>MODELSEAL_API_KEY</code>. The key works for this project only.
        </p>
      </section>
      {!complete && models.data && models.data.length > 0 ? <p className="muted small">Choose a model with a trigger set to fill in every id.</p> : null}
      <h2>3. Run the audit</h2>
      <p className="muted">
        All three exit <strong>0</strong> when the model is intact, <strong>1</strong> when it is tampered and non-zero (2) when the audit could not finish, like{' '}
        <code>modelseal verify</code>. The call waits up to {WAIT_MS / 60_000} minutes for the verdict.
      </p>
      <h3>TypeScript (typed tRPC client)</h3>
      <CodeBlock code={typescriptSnippet(ids)} testId="ci-snippet-ts" />
      <h3>curl</h3>
      <CodeBlock code={curlSnippet(ids)} testId="ci-snippet-curl" />
      <h3>GitHub Actions step</h3>
      <CodeBlock code={githubSnippet(ids)} testId="ci-snippet-github" />
    </>
  );
}
