/**
 * How the client and the worker reach Temporal. Settings come from Temporal's standard environment
 * configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * TEMPORAL_PROFILE and the temporal.toml profiles), so ferry needs no flags of its own to point at
 * Temporal Cloud or a self-hosted cluster.
 */
import { Client, Connection } from '@temporalio/client';
import type { ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { FerryError } from '../errors.js';
import { ferryDataConverter } from './data-converter.js';

/** Address used when neither the environment nor a profile names one: the local dev server. */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
/** Namespace used when neither the environment nor a profile names one. */
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** Resolved connection settings; `address` and `namespace` always have a value. */
export interface FerryConnectConfig {
  /** Options for `NativeConnection.connect` / `Connection.connect`; `address` is always set. */
  connectionOptions: NativeConnectionOptions & { address: string };
  /** Namespace; default `default`. */
  namespace: string;
}

/**
 * Thrown when Temporal cannot be reached. Not permanent: the server may simply not be up yet.
 */
export class TemporalConnectError extends FerryError {
  override readonly permanent = false;
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(
      `cannot connect to Temporal at ${address}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Start a local server with `npx ferry dev`, or set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, ' +
        'TEMPORAL_API_KEY / TEMPORAL_TLS_* for a remote cluster) to point at a running one.',
      { cause },
    );
  }
}

/**
 * Loads connection settings via `loadClientConnectConfig()` (environment variables and the active
 * temporal.toml profile), defaulting the address to localhost:7233 and the namespace to `default`.
 */
export async function loadConnectConfig(): Promise<FerryConnectConfig> {
  // Synchronous in the SDK, but it reads files; async here so a future remote source fits the signature.
  const loaded = loadClientConnectConfig();
  const opts = loaded.connectionOptions;
  return {
    connectionOptions: { ...opts, address: opts.address || DEFAULT_TEMPORAL_ADDRESS },
    namespace: loaded.namespace || DEFAULT_TEMPORAL_NAMESPACE,
  };
}

/**
 * Connects a `@temporalio/client` Client using {@link loadConnectConfig}.
 * @throws TemporalConnectError naming the address when the server cannot be reached.
 */
export async function connectClient(): Promise<Client> {
  const config = await loadConnectConfig();
  const { address, tls, apiKey, metadata } = config.connectionOptions;
  // The two SDK packages type TLS slightly differently; only these fields come from envconfig.
  const options: ConnectionOptions = { address, tls: tls ?? undefined, apiKey, metadata };
  try {
    const connection = await Connection.connect(options);
    const dataConverter = ferryDataConverter();
    return new Client({ connection, namespace: config.namespace, ...(dataConverter ? { dataConverter } : {}) });
  } catch (err) {
    throw new TemporalConnectError(address, err);
  }
}

/**
 * Connects the worker's `NativeConnection` using {@link loadConnectConfig}.
 * @throws TemporalConnectError naming the address when the server cannot be reached.
 */
export async function connectWorkerConnection(): Promise<NativeConnection> {
  const config = await loadConnectConfig();
  // Loaded here, not at the top: the CLI imports this module too and must not pay for the worker SDK.
  const { NativeConnection } = await import('@temporalio/worker');
  try {
    return await NativeConnection.connect(config.connectionOptions);
  } catch (err) {
    throw new TemporalConnectError(config.connectionOptions.address, err);
  }
}
