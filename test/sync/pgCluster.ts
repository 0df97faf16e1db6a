import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Pool, PoolConfig } from 'pg';
import { createTeamPool } from '../../src/core/sync/teamPool';

/*
 * A throwaway PostgreSQL cluster for the sync tests (Debian's `postgresql` package): initdb in a
 * temporary directory, listening only on a Unix socket in that directory (no TCP port), trust
 * authentication for local roles, stopped and removed at the end. initdb and postgres refuse to
 * run as root, so as root (CI containers) they run as the `postgres` OS user the package creates.
 */

function binDirectory(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0)
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): apt-get install -y postgresql');
  return path.join(root, versions[0], 'bin');
}

export class PgCluster {
  private constructor(
    readonly directory: string,
    readonly socketDirectory: string,
    private readonly bin: string,
    private readonly asRoot: boolean,
  ) {}

  static async start(): Promise<PgCluster> {
    const bin = binDirectory();
    const asRoot = process.getuid?.() === 0;
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      fs.chownSync(directory, uid, gid);
    }
    const cluster = new PgCluster(directory, directory, bin, asRoot);
    cluster.run('initdb', ['-D', cluster.dataDirectory, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    cluster.startServer();
    return cluster;
  }

  get dataDirectory(): string {
    return path.join(this.directory, 'data');
  }

  private run(tool: string, args: string[]): string {
    const command = this.asRoot ? 'runuser' : path.join(this.bin, tool);
    const argv = this.asRoot ? ['-u', 'postgres', '--', path.join(this.bin, tool), ...args] : args;
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: this.directory });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  startServer(): void {
    const options = `-k ${this.socketDirectory} -c listen_addresses='' -c fsync=off -c max_connections=60`;
    this.run('pg_ctl', ['-D', this.dataDirectory, '-l', path.join(this.directory, 'server.log'), '-o', options, '-w', 'start']);
  }

  /** `pg_ctl stop -m immediate`: every backend killed at once, no checkpoint (recovery at the next start). */
  stopImmediate(): void {
    this.run('pg_ctl', ['-D', this.dataDirectory, '-m', 'immediate', '-w', 'stop']);
  }

  stop(): void {
    try {
      this.run('pg_ctl', ['-D', this.dataDirectory, '-m', 'fast', '-w', 'stop']);
    } finally {
      fs.rmSync(this.directory, { recursive: true, force: true });
    }
  }

  config(user: string, database = 'postgres'): PoolConfig {
    return { host: this.socketDirectory, user, database };
  }

  /** A URL-form connection string for a role (the socket directory as the `host` parameter). */
  connectionString(user: string, database = 'postgres'): string {
    return `postgresql://${user}@localhost/${database}?host=${encodeURIComponent(this.socketDirectory)}`;
  }

  pool(user: string, database = 'postgres'): Pool {
    return createTeamPool(this.config(user, database));
  }
}
