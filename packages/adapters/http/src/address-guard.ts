import { lookup } from 'node:dns/promises';
import { ModelSealError } from '@modelseal/core';
import { ERROR_CODES } from './codes.ts';
import { forbiddenReason, inCidr, parseCidr, parseIp, type Cidr } from './ip.ts';
import { TransportError } from './transport-error.ts';

export interface AddressPolicy {
  readonly allowPrivate: boolean;
  readonly allowHosts: readonly string[];
}

/** An address that passed the checks; connections may go only to such addresses. */
export interface CheckedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/i;

function normaliseHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

const TRANSIENT_DNS = new Set(['EAI_AGAIN', 'ETIMEOUT', 'ECONNREFUSED', 'ESERVFAIL']);

/**
 * Server-side request forgery guard. A model URL comes from a user, and the
 * worker that fetches it sits inside the platform's network, so by default
 * only public addresses may be reached. The host name is resolved here, every
 * address it resolves to is checked, and the caller connects to the checked
 * address itself (never resolving again), so a DNS answer that changes between
 * check and connect (DNS rebinding) cannot redirect the connection.
 */
export class AddressGuard {
  readonly #allowPrivate: boolean;
  readonly #hosts = new Set<string>();
  readonly #ranges: Cidr[] = [];

  constructor(policy: AddressPolicy) {
    this.#allowPrivate = policy.allowPrivate;
    for (const entry of policy.allowHosts) {
      const range = parseCidr(normaliseHost(entry.trim()));
      if (range) {
        this.#ranges.push(range);
      } else if (HOST_NAME.test(normaliseHost(entry.trim()))) {
        this.#hosts.add(normaliseHost(entry.trim()));
      } else {
        throw new ModelSealError(
          ERROR_CODES.config,
          `allowHosts entry ${JSON.stringify(entry)} is not a host name, an IP address or a CIDR range such as 10.0.0.0/8 (ports and schemes do not belong there)`,
        );
      }
    }
  }

  /** Every address of the URL's host, all checked; throws when any of them is forbidden. */
  async check(url: URL): Promise<CheckedAddress[]> {
    const host = normaliseHost(url.hostname);
    const literal = parseIp(host);
    const addresses: CheckedAddress[] = literal
      ? [{ address: host, family: literal.length === 4 ? 4 : 6 }]
      : await this.#resolve(host);
    if (this.#allowPrivate || this.#hosts.has(host)) return addresses;
    const refused: string[] = [];
    for (const { address } of addresses) {
      const bytes = parseIp(address)!;
      const reason = forbiddenReason(bytes);
      if (reason !== undefined && !this.#ranges.some((range) => inCidr(bytes, range))) {
        refused.push(`${address} (${reason})`);
      }
    }
    if (refused.length > 0) {
      const what = literal ? `${refused[0]} is an internal address` : `${host} resolves to ${refused.join(', ')}, internal addresses`;
      throw new ModelSealError(
        ERROR_CODES.forbidden,
        `refusing to connect to ${url.origin}: ${what}. ` +
          'Model URLs must point at public addresses so that they cannot be used to reach internal services. ' +
          `If the model really is on a private network, set allowPrivate: true (--allow-private on the command line) or add "${host}" to allowHosts.`,
      );
    }
    return addresses;
  }

  async #resolve(host: string): Promise<CheckedAddress[]> {
    try {
      const found = await lookup(host, { all: true, verbatim: true });
      if (found.length === 0) throw Object.assign(new Error('no addresses'), { code: 'ENOTFOUND' });
      return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unknown error';
      throw new TransportError(TRANSIENT_DNS.has(code) ? 'connection' : 'dns', `cannot resolve host "${host}" (${code})`, {
        cause: error,
      });
    }
  }
}
