'use client';
// The adapter plug-ins this server has installed: what each opens, whether models can be
// uploaded for it, and the config it takes when a model is registered.
import { useQuery } from '@tanstack/react-query';
import { useProject } from '../../../../client/project.ts';
import { useTRPC } from '../../../../client/trpc.ts';
import { CodeBlock } from '../../../../components/ops/CopyButton.tsx';
import { SchemaFieldsTable } from '../../../../components/ops/JsonSchemaView.tsx';
import { QueryError } from '../../../../components/ops/QueryError.tsx';
import type { Outputs } from '../../../../components/ops/types.ts';
import { Empty, Loading, PageHeader } from '../../../../components/ui.tsx';

type Adapter = Outputs['adapters']['list'][number];

export default function AdaptersPage() {
  const trpc = useTRPC();
  const { role } = useProject();
  const adapters = useQuery(trpc.adapters.list.queryOptions());
  return (
    <>
      <PageHeader title="Adapters">
        How ModelSeal talks to a model. Each adapter takes a config when a model is registered; third-party adapters are installed on the server
        with <code>MODELSEAL_ADAPTER_PLUGINS</code> (see docs/adapters.md).
      </PageHeader>
      {adapters.isPending ? (
        <Loading what="adapters" />
      ) : adapters.isError ? (
        <QueryError error={adapters.error} what="the installed adapters" role={role} />
      ) : adapters.data.length === 0 ? (
        <Empty>No adapters are installed on this server.</Empty>
      ) : (
        <div className="stack" data-testid="adapters-list">
          {adapters.data.map((adapter) => (
            <AdapterCard key={adapter.kind} adapter={adapter} />
          ))}
        </div>
      )}
    </>
  );
}

function AdapterCard({ adapter }: { adapter: Adapter }) {
  return (
    <article className="card adapter-card" data-testid="adapter-card" data-kind={adapter.kind} aria-labelledby={`adapter-${adapter.kind}`}>
      <header className="adapter-card-header">
        <div>
          <h2 id={`adapter-${adapter.kind}`} className="first">
            {adapter.title}
          </h2>
          <div className="muted small">
            kind <code data-testid="adapter-kind">{adapter.kind}</code>
          </div>
        </div>
        {adapter.upload ? (
          <span className="pill pill-ok" data-testid="adapter-upload" data-upload="true" title={`entry file goes to config.${adapter.upload.entryKey}`}>
            accepts uploads: {adapter.upload.accepts.join(', ')}
          </span>
        ) : (
          <span className="pill" data-testid="adapter-upload" data-upload="false">
            no uploads: register by path or URL
          </span>
        )}
      </header>
      <p>{adapter.description}</p>
      <h3>Config</h3>
      {adapter.configJsonSchema ? (
        <>
          <SchemaFieldsTable schema={adapter.configJsonSchema} />
          <details className="schema-details">
            <summary>JSON Schema</summary>
            <CodeBlock code={JSON.stringify(adapter.configJsonSchema, null, 2)} testId="adapter-schema-json" />
          </details>
        </>
      ) : (
        <p className="muted small" data-testid="adapter-no-schema">
          This server did not publish a config schema for this adapter; it checks the config when the model is opened.
        </p>
      )}
    </article>
  );
}
