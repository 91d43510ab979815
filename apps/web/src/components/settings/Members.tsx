'use client';
// Project members and their roles; owners add, re-role and remove people.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useProject, type Role } from '../../client/project.ts';
import { useSession } from '../../client/session.ts';
import { useTRPC } from '../../client/trpc.ts';
import { ConfirmButton } from '../ops/ConfirmButton.tsx';
import { QueryError } from '../ops/QueryError.tsx';
import type { Outputs } from '../ops/types.ts';
import { Empty, ErrorBox, Loading, formatDate } from '../ui.tsx';

const ROLES: readonly Role[] = ['owner', 'member', 'viewer'];
const ROLE_HELP: Record<Role, string> = {
  owner: 'administers the project: members, API keys, alert webhooks',
  member: 'registers models, makes trigger sets, runs audits',
  viewer: 'sees models and audit results, never trigger-set inputs',
};


// ---------------------------------------------------------------------------------------------
// Members

type Member = Outputs['members']['list'][number];

export function Members() {
  const trpc = useTRPC();
  const { projectId, role, isOwner } = useProject();
  const { user } = useSession();
  const members = useQuery(trpc.members.list.queryOptions({ projectId }));
  return (
    <section className="settings-section" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      {members.isPending ? (
        <Loading what="members" />
      ) : members.isError ? (
        <QueryError error={members.error} what="the members" role={role} />
      ) : members.data.length === 0 ? (
        <Empty>No members.</Empty>
      ) : (
        <table data-testid="members-table">
          <thead>
            <tr>
              <th>Person</th>
              <th>Role</th>
              <th>Member since</th>
              {isOwner ? <th aria-label="Actions" /> : null}
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => (
              <MemberRow key={m.userId} member={m} isOwner={isOwner} isSelf={m.userId === user?.user.id} />
            ))}
          </tbody>
        </table>
      )}
      {isOwner ? <AddMember /> : <p className="muted small">Only owners add, remove or change members.</p>}
    </section>
  );
}

function MemberRow({ member, isOwner, isSelf }: { member: Member; isOwner: boolean; isSelf: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
    // Changing one's own role changes what the whole dashboard may show.
    if (isSelf) await queryClient.invalidateQueries({ queryKey: trpc.projects.get.queryKey() });
  };
  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions({
      onSuccess: (changed) =>
        queryClient.setQueryData(trpc.members.list.queryKey({ projectId }), (old) =>
          old?.map((m) => (m.userId === changed.userId ? { ...m, role: changed.role } : m)),
        ),
      onSettled: refresh,
    }),
  );
  // The role asked for, shown while it is saved.
  const [askedRole, setAskedRole] = useState<Role | null>(null);
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async () => {
        await refresh();
        if (isSelf) await queryClient.invalidateQueries();
      },
    }),
  );
  return (
    <tr data-testid="member-row" data-email={member.email}>
      <td>
        <div>
          {member.name ?? member.email}
          {isSelf ? <span className="muted small"> (you)</span> : null}
        </div>
        {member.name ? <div className="muted small">{member.email}</div> : null}
      </td>
      <td>
        {isOwner ? (
          <select
            aria-label={`Role of ${member.email}`}
            data-testid="member-role"
            value={askedRole ?? member.role}
            disabled={changeRole.isPending}
            onChange={(e) => {
              const role = e.target.value as Role;
              setAskedRole(role);
              changeRole.mutate({ projectId, userId: member.userId, role }, { onSettled: () => setAskedRole(null) });
            }}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        ) : (
          <span className="pill" data-testid="member-role">
            {member.role}
          </span>
        )}
        {changeRole.isPending ? <span className="muted small"> saving…</span> : null}
        <ErrorBox error={changeRole.error} />
      </td>
      <td className="nowrap">{formatDate(member.since)}</td>
      {isOwner ? (
        <td className="actions-cell">
          <ConfirmButton
            label="Remove"
            question={isSelf ? 'Remove yourself? You lose access to this project.' : `Remove ${member.email}?`}
            pending={remove.isPending}
            onConfirm={() => remove.mutate({ projectId, userId: member.userId })}
            testId="member-remove"
          />
          <ErrorBox error={remove.error} />
        </td>
      ) : null}
    </tr>
  );
}

function AddMember() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: async () => {
        setEmail('');
        await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ projectId, email: email.trim(), role });
  };
  return (
    <form className="card inline-form" onSubmit={submit} data-testid="add-member-form">
      <h3>Add a member</h3>
      <p className="muted small">The person needs a ModelSeal account already (there are no invitations yet).</p>
      <div className="row">
        <label className="grow">
          Email
          <input name="memberEmail" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        </label>
        <label>
          Role
          <select name="memberRole" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary align-end" disabled={add.isPending || !email.trim()}>
          {add.isPending ? 'Adding…' : 'Add member'}
        </button>
      </div>
      <p className="muted small">
        {role}: {ROLE_HELP[role]}.
      </p>
      <ErrorBox error={add.error} />
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// API keys

