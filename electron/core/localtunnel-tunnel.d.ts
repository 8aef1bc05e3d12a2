/**
 * Types for the client class inside @n8n/localtunnel 3.0.0 (`lib/Tunnel.js`), which the
 * package's index.d.ts does not export. tunnel-client.ts subclasses it to replace the
 * registration request; the version is pinned exactly in package.json for that reason.
 */
declare module '@n8n/localtunnel/lib/Tunnel' {
  import { EventEmitter } from 'node:events';

  interface LibraryTunnelOptions {
    port: number;
    host: string;
    subdomain?: string;
  }

  class Tunnel extends EventEmitter {
    constructor(options: LibraryTunnelOptions);
    url: string;
    clientId: string;
    closed: boolean;
    /** Registers (through `_init`), then opens the server's number of TCP connections. */
    open(callback: (error?: Error | null) => void): void;
    /** Destroys the open connections and stops replacing the ones that close. */
    close(): void;
    /** Obtains the registration and passes the connection info to `callback`. */
    protected _init(callback: (error: Error | null, info?: unknown) => void): void;
    /** Turns a registration response body into the connection info `_init` passes on. */
    protected _getInfo(body: object): unknown;
  }

  export = Tunnel;
}
