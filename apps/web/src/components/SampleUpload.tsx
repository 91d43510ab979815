'use client';
// Uploads a folder of images, one sub-folder per class, as a sample set to fragilize from.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { ErrorBox } from './ui.tsx';

/** What sampleSets.upload takes: `<class>/<image>` paths to PNG or JPEG images. */
const SAMPLE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

/** A picked folder's files as sampleSets.upload takes them: `<class>/<image>`, the picked folder's own name stripped. */
function samplePaths(files: readonly File[]): { kept: { file: File; path: string }[]; skipped: number } {
  const kept: { file: File; path: string }[] = [];
  let skipped = 0;
  for (const file of files) {
    const parts = (file.webkitRelativePath || file.name).split('/').slice(1);
    const name = parts[parts.length - 1] ?? '';
    const image = SAMPLE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));
    if (parts.length === 2 && image && !parts.some((part) => part.startsWith('.'))) kept.push({ file, path: parts.join('/') });
    else skipped += 1;
  }
  return { kept, skipped };
}

/**
 * "Upload samples…": a folder with one sub-folder of PNG/JPEG images per class, sent as one
 * multipart form (the tRPC client routes FormData through a non-batching link).
 */
export function SampleUpload({ projectId, onUploaded }: { projectId: string; onUploaded: (sampleSetId: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<{ kept: { file: File; path: string }[]; skipped: number; folder: string }>({ kept: [], skipped: 0, folder: '' });
  const upload = useMutation(
    trpc.sampleSets.upload.mutationOptions({
      onSuccess: async (set) => {
        await queryClient.invalidateQueries(trpc.sampleSets.pathFilter());
        onUploaded(set.id);
        setOpen(false);
        setName('');
        setPicked({ kept: [], skipped: 0, folder: '' });
      },
    }),
  );
  // React has no prop for the directory picker; the DOM property is standard enough (all major browsers).
  const directoryPicker = (input: HTMLInputElement | null) => {
    if (input) input.webkitdirectory = true;
  };
  if (!open) {
    return (
      <div>
        <button type="button" onClick={() => setOpen(true)} data-testid="sample-upload-open">
          Upload samples…
        </button>
      </div>
    );
  }
  const classes = new Set(picked.kept.map((f) => f.path.split('/')[0]));
  const send = () => {
    const form = new FormData();
    form.append('projectId', projectId);
    form.append('name', name.trim() || picked.folder);
    for (const { file, path } of picked.kept) form.append('files', file, path);
    upload.mutate(form);
  };
  return (
    <div className="card stack" data-testid="sample-upload">
      <p className="small muted">
        Choose a folder holding one sub-folder of PNG or JPEG images per class (the sub-folder’s name is the class). Images must already have the model’s input size and
        colours (28×28 grayscale for the MNIST demo model): nothing is resized.
      </p>
      <div className="form-grid">
        <label>
          Folder
          <input
            ref={directoryPicker}
            type="file"
            multiple
            data-testid="sample-upload-files"
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              const folder = files[0]?.webkitRelativePath.split('/')[0] ?? '';
              setPicked({ ...samplePaths(files), folder });
            }}
          />
          <span className="field-hint">
            {picked.kept.length > 0
              ? `${picked.kept.length} images in ${classes.size} classes${picked.skipped > 0 ? ` (${picked.skipped} other files left out)` : ''}`
              : picked.skipped > 0
                ? `no <class>/<image> files found (${picked.skipped} files left out)`
                : 'a folder of class folders'}
          </span>
        </label>
        <label>
          Name
          <input name="sampleSetName" maxLength={200} value={name} placeholder={picked.folder || 'my-samples'} onChange={(e) => setName(e.target.value)} />
        </label>
      </div>
      <ErrorBox error={upload.error} />
      <div className="row">
        <button type="button" className="primary" onClick={send} disabled={upload.isPending || picked.kept.length === 0 || !(name.trim() || picked.folder)} data-testid="sample-upload-submit">
          {upload.isPending ? 'Uploading…' : 'Upload'}
        </button>
        <button type="button" onClick={() => setOpen(false)} disabled={upload.isPending}>
          Cancel
        </button>
      </div>
    </div>
  );
}

