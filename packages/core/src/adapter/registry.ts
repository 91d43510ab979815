import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModelSealError } from '../errors.ts';
import { describeIssues } from '../util/describeIssues.ts';
import type { AdapterContext, AdapterFactory, ModelAdapter } from './contract.ts';

function isFactory(value: unknown): value is AdapterFactory {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AdapterFactory>;
  return (
    typeof candidate.kind === 'string' &&
    typeof candidate.create === 'function' &&
    typeof candidate.configSchema === 'object' &&
    candidate.configSchema !== null
  );
}

/**
 * Finds adapter factories by kind. Third-party adapters are npm packages whose
 * module exports a factory (default export, `adapterFactory`, or an `adapterFactories` array).
 */
export class AdapterRegistry {
  readonly #factories = new Map<string, AdapterFactory>();

  register(factory: AdapterFactory<never> | AdapterFactory): this {
    const f = factory as AdapterFactory;
    if (!isFactory(f)) {
      throw new ModelSealError('INVALID_ARGUMENT', 'not an adapter factory: needs kind, configSchema and create()');
    }
    if (this.#factories.has(f.kind)) {
      throw new ModelSealError('INVALID_ARGUMENT', `an adapter of kind "${f.kind}" is already registered`);
    }
    this.#factories.set(f.kind, f);
    return this;
  }

  has(kind: string): boolean {
    return this.#factories.has(kind);
  }

  get(kind: string): AdapterFactory {
    const factory = this.#factories.get(kind);
    if (!factory) {
      const known = [...this.#factories.keys()].join(', ') || 'none';
      throw new ModelSealError('UNKNOWN_ADAPTER', `no adapter of kind "${kind}" is registered (known: ${known})`);
    }
    return factory;
  }

  list(): AdapterFactory[] {
    return [...this.#factories.values()];
  }

  /** Validates `config` against the factory's schema, then creates the adapter. */
  async create(kind: string, config: unknown, context?: AdapterContext): Promise<ModelAdapter> {
    const factory = this.get(kind);
    const parsed = factory.configSchema.safeParse(config);
    if (!parsed.success) {
      const details = describeIssues(parsed.error, '(config)');
      throw new ModelSealError('INVALID_CONFIG', `invalid config for adapter "${kind}": ${details}`);
    }
    return factory.create(parsed.data, context);
  }

  /** The first factory that claims a location (file path or URL), in registration order. */
  async resolveLocation(location: string): Promise<AdapterFactory | undefined> {
    for (const factory of this.#factories.values()) {
      if (factory.matchesLocation && (await factory.matchesLocation(location))) return factory;
    }
    return undefined;
  }

  async createFromLocation(location: string, context?: AdapterContext): Promise<ModelAdapter> {
    const factory = await this.resolveLocation(location);
    if (!factory?.configFromLocation) {
      throw new ModelSealError(
        'UNKNOWN_ADAPTER',
        `no installed adapter recognises the model location "${location}"`,
      );
    }
    return this.create(factory.kind, factory.configFromLocation(location), context);
  }

  /**
   * Imports a plug-in and registers every factory it exports. `specifier` is a package
   * name, resolved from `from` (a folder or file URL: where the user installed it), or a path.
   */
  async loadPlugin(specifier: string, options: { from?: string } = {}): Promise<AdapterFactory[]> {
    let module: Record<string, unknown>;
    try {
      module = (await import(resolvePluginSpecifier(specifier, options.from ?? process.cwd()))) as Record<string, unknown>;
    } catch (error) {
      throw new ModelSealError('UNKNOWN_ADAPTER', `cannot load adapter plug-in "${specifier}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    const candidates: unknown[] = [module.default, module.adapterFactory];
    if (Array.isArray(module.adapterFactories)) candidates.push(...module.adapterFactories);
    const factories = candidates.filter(isFactory);
    if (factories.length === 0) {
      throw new ModelSealError(
        'UNKNOWN_ADAPTER',
        `adapter plug-in "${specifier}" exports no factory (expected a default export, "adapterFactory" or "adapterFactories")`,
      );
    }
    const unique = [...new Set(factories)];
    for (const factory of unique) this.register(factory);
    return unique;
  }
}

function resolvePluginSpecifier(specifier: string, from: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier;
  const base = from.startsWith('file:') ? from : pathToFileURL(resolve(from, 'noop.js')).href;
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    return from.startsWith('file:') ? new URL(specifier, from).href : pathToFileURL(resolve(from, specifier)).href;
  }
  try {
    return pathToFileURL(createRequire(base).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}
