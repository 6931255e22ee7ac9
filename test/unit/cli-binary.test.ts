import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TemporalCliError } from '../../src/errors.js';
import { findOnPath, findTemporalCli, installCommand, projectRoot } from '../../src/temporal/cli-binary.js';

/** Writes an executable shell script at `dir/name`; never run, only found. */
async function stub(dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, '#!/bin/sh\necho stub\n');
  await chmod(path, 0o755);
  return path;
}

describe('findTemporalCli', () => {
  let tmp: string;
  const savedPath = process.env['PATH'];

  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ferry-cli-'));
  });
  afterEach(async () => {
    process.env['PATH'] = savedPath;
    await rm(tmp, { recursive: true, force: true });
  });

  it('finds temporal on PATH', async () => {
    const bin = join(tmp, 'bin');
    const temporal = await stub(bin, 'temporal');
    process.env['PATH'] = [join(tmp, 'empty'), bin].join(delimiter);
    await expect(findTemporalCli({ root: join(tmp, 'root'), install: false })).resolves.toBe(temporal);
  });

  it('ignores a directory named temporal and non-executable files', async () => {
    await mkdir(join(tmp, 'a', 'temporal'), { recursive: true });
    await mkdir(join(tmp, 'b'), { recursive: true });
    await writeFile(join(tmp, 'b', 'temporal'), 'not executable');
    const real = await stub(join(tmp, 'c'), 'temporal');
    expect(await findOnPath('temporal', ['a', 'b', 'c'].map((d) => join(tmp, d)).join(delimiter))).toBe(real);
  });

  it('prefers PATH over <root>/.tools/bin', async () => {
    const root = join(tmp, 'root');
    await stub(join(root, '.tools', 'bin'), 'temporal');
    const onPath = await stub(join(tmp, 'bin'), 'temporal');
    process.env['PATH'] = join(tmp, 'bin');
    await expect(findTemporalCli({ root, install: false })).resolves.toBe(onPath);
  });

  it('falls back to <root>/.tools/bin/temporal without building', async () => {
    const root = join(tmp, 'root');
    const local = await stub(join(root, '.tools', 'bin'), 'temporal');
    process.env['PATH'] = join(tmp, 'empty');
    // goPath null: if the lookup wrongly tried to build, it would throw instead of returning.
    await expect(findTemporalCli({ root, goPath: null })).resolves.toBe(local);
  });

  it('throws TemporalCliError with install instructions when neither temporal nor go exists', async () => {
    const root = join(tmp, 'root');
    process.env['PATH'] = join(tmp, 'empty');
    const err = await findTemporalCli({ root, goPath: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalCliError);
    const msg = (err as Error).message;
    expect(msg).toContain('Go is not installed');
    expect(msg).toContain('go install github.com/temporalio/cli/cmd/temporal@v1.5.1');
    expect(msg).toContain(`GOBIN=${join(root, '.tools', 'bin')}`);
    expect(msg).toContain('on PATH');
  });

  it('throws instead of building when install is false', async () => {
    process.env['PATH'] = join(tmp, 'empty');
    const err = await findTemporalCli({ root: join(tmp, 'root'), install: false, goPath: '/bin/true' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalCliError);
    expect((err as Error).message).toContain('go install');
  });

  it('builds into <root>/.tools/bin with GOBIN and the pinned tag (fake go, nothing compiled)', async () => {
    const root = join(tmp, 'root');
    const fakeGo = join(tmp, 'go');
    // Records its arguments and "installs" a stub where GOBIN points, as go install would.
    await writeFile(fakeGo, '#!/bin/sh\necho "$@" > "$GOBIN/../args"\nprintf "#!/bin/sh\\n" > "$GOBIN/temporal"\n/bin/chmod +x "$GOBIN/temporal"\n');
    await chmod(fakeGo, 0o755);
    process.env['PATH'] = join(tmp, 'empty');
    const lines: string[] = [];
    const built = await findTemporalCli({ root, goPath: fakeGo, log: (m) => lines.push(m) });
    expect(built).toBe(join(root, '.tools', 'bin', 'temporal'));
    expect(await readFile(join(root, '.tools', 'args'), 'utf8')).toBe('install github.com/temporalio/cli/cmd/temporal@v1.5.1\n');
    expect(lines.join('\n')).toContain('building');
  });

  it('reports a failed build with its output', async () => {
    const root = join(tmp, 'root');
    const fakeGo = join(tmp, 'go');
    await writeFile(fakeGo, '#!/bin/sh\necho "go: module lookup disabled" >&2\nexit 1\n');
    await chmod(fakeGo, 0o755);
    process.env['PATH'] = join(tmp, 'empty');
    const lines: string[] = [];
    const err = await findTemporalCli({ root, goPath: fakeGo, log: (m) => lines.push(m) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalCliError);
    expect((err as Error).message).toContain('module lookup disabled');
    expect(lines.join('\n')).toContain('module lookup disabled');
  });
});

describe('projectRoot', () => {
  it("is the directory of ferry's package.json", () => {
    expect(projectRoot()).toBe(join(import.meta.dirname, '..', '..'));
    expect(installCommand('/r')).toBe('GOBIN=/r/.tools/bin go install github.com/temporalio/cli/cmd/temporal@v1.5.1');
  });
});
