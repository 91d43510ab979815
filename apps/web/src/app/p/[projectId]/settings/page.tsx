'use client';
// Members of the project and its API keys. Owners administer both; members see the lists;
// viewers see the members only (the API answers FORBIDDEN for keys, shown as a notice).
import { useProject } from '../../../../client/project.ts';
import { ApiKeys } from '../../../../components/settings/ApiKeys.tsx';
import { Members } from '../../../../components/settings/Members.tsx';
import { PageHeader } from '../../../../components/ui.tsx';

export default function SettingsPage() {
  const { role } = useProject();
  return (
    <>
      <PageHeader title="Members & API keys">
        People in this project and the keys that let CI and scripts call the API.{role ? ` Your role: ${role}.` : ''}
      </PageHeader>
      <Members />
      <ApiKeys />
    </>
  );
}
