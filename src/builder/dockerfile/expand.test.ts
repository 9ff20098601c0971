import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, type Instruction, type ParseResult } from './instructions.js';
import { createStageScope, expandFrom, expandInstruction, expandMount, resolveMetaArgs } from './expand.js';
import { BerthError } from '../../errdefs/errors.js';

const df = (...lines: string[]) => lines.join('\n') + '\n';

/** Every key in `want` must match in `got`; arrays must have equal length. */
function assertSubset(got: unknown, want: unknown, path = '$'): void {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path}: expected array, got ${JSON.stringify(got)}`);
    assert.equal(got.length, want.length, `${path}: length ${JSON.stringify(got)}`);
    want.forEach((w, i) => assertSubset(got[i], w, `${path}[${i}]`));
  } else if (want !== null && typeof want === 'object') {
    assert.ok(got !== null && typeof got === 'object', `${path}: expected object, got ${JSON.stringify(got)}`);
    for (const [k, w] of Object.entries(want)) assertSubset((got as Record<string, unknown>)[k], w, `${path}.${k}`);
  } else {
    assert.deepEqual(got, want, path);
  }
}

/** The first stage's instructions, each expanded with `env`. */
function expandAll(text: string, env: Record<string, string>): Instruction[] {
  const r = parseDockerfile(text);
  return r.stages[0]!.instructions.map((i) => expandInstruction(i, env, r.escapeChar));
}

/** Walk every stage with a scope; returns the expanded instructions per stage. */
function walk(text: string, buildArgs: Record<string, string> = {}): { result: ParseResult; stages: Instruction[][]; froms: string[] } {
  const result = parseDockerfile(text);
  const meta = resolveMetaArgs(result.metaArgs, { buildArgs, escapeChar: result.escapeChar });
  const stages: Instruction[][] = [];
  const froms: string[] = [];
  for (const st of result.stages) {
    froms.push(expandFrom(st.from, meta, result.escapeChar).image);
    const scope = createStageScope({ escapeChar: result.escapeChar, metaArgs: meta, buildArgs, baseEnv: [['PATH', '/usr/bin']] });
    stages.push(st.instructions.map((i) => scope.apply(i)));
  }
  return { result, stages, froms };
}

interface Case {
  name: string;
  dockerfile: string;
  env: Record<string, string>;
  want: unknown[];
}

const ENV = { HOME: '/root', APP: 'web', EMPTY: '', PORTS: '80 443' };

const cases: Case[] = [
  {
    name: 'ENV values: defaults with spaces, $$, escaped $, unset',
    // Unquoted `ENV A=${NOPE:-a b}` is a syntax error in Docker too (the space splits words).
    dockerfile: df('FROM a', 'ENV A="${NOPE:-a b}" B=$$ C=\\$HOME D=$NOPE E="$HOME/x" F=\'$HOME\'', 'WORKDIR ${NOPE:-/a b}'),
    env: ENV,
    want: [{
      pairs: [
        { key: 'A', value: 'a b' },
        { key: 'B', value: '' },
        { key: 'C', value: '$HOME' },
        { key: 'D', value: '' },
        { key: 'E', value: '/root/x' },
        { key: 'F', value: '$HOME' },
      ],
    }, { path: '/a b' }],
  },
  {
    name: '- vs :- and + vs :+ on an empty variable',
    dockerfile: df('FROM a', 'ENV A=${EMPTY-d} B=${EMPTY:-d} C=${EMPTY+p} D=${EMPTY:+p} E=${APP:+p}'),
    env: ENV,
    want: [{ pairs: [{ value: '' }, { value: 'd' }, { value: 'p' }, { value: '' }, { value: 'p' }] }],
  },
  {
    name: 'legacy ENV form value is one expanded word',
    dockerfile: df('FROM a', 'ENV GREETING hello "$APP" world'),
    env: ENV,
    want: [{ pairs: [{ key: 'GREETING', value: 'hello web world' }] }],
  },
  {
    name: 'LABEL keys and values',
    dockerfile: df('FROM a', 'LABEL "org.$APP.name"="my $APP" v=1'),
    env: ENV,
    want: [{ pairs: [{ key: 'org.web.name', value: 'my web' }, { key: 'v', value: '1' }] }],
  },
  {
    name: 'COPY/ADD sources, dest, chown, chmod; ADD checksum',
    dockerfile: df('FROM a', 'COPY --chown=$APP:$APP --chmod=${MODE:-644} $APP/*.js $HOME/', 'ADD --checksum=$SUM x.tar /$APP'),
    env: { ...ENV, SUM: 'sha256:1' },
    want: [
      { chown: 'web:web', chmod: '644', sources: ['web/*.js'], dest: '/root/' },
      { checksum: 'sha256:1', dest: '/web' },
    ],
  },
  {
    name: 'COPY heredoc bodies expand unless the delimiter was quoted; quotes stay',
    dockerfile: df('FROM a', 'COPY <<EOF <<"RAW" /d/', 'app="$APP" \'$HOME\'', 'EOF', 'app=$APP', 'RAW'),
    env: ENV,
    want: [{ heredocs: [{ content: 'app="web" \'/root\'\n' }, { content: 'app=$APP\n' }] }],
  },
  {
    name: 'WORKDIR, USER, STOPSIGNAL, VOLUME',
    dockerfile: df('FROM a', 'WORKDIR /srv/$APP', 'USER ${APP}:${GROUP:-staff}', 'STOPSIGNAL ${SIG:-SIGQUIT}', 'VOLUME ["/data/$APP"]', 'VOLUME $HOME/a /b'),
    env: ENV,
    want: [
      { path: '/srv/web' },
      { user: 'web:staff' },
      { signal: 'SIGQUIT' },
      { paths: ['/data/web'] },
      { paths: ['/root/a', '/b'] },
    ],
  },
  {
    name: 'EXPOSE words may split after expansion',
    dockerfile: df('FROM a', 'EXPOSE $PORTS 8080/tcp'),
    env: ENV,
    want: [{ ports: ['80', '443', '8080/tcp'] }],
  },
  {
    name: 'RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD are not expanded by the builder',
    dockerfile: df(
      'FROM a',
      'RUN echo $APP',
      'CMD ["echo", "$APP"]',
      'ENTRYPOINT echo $APP',
      'SHELL ["/bin/$APP"]',
      'HEALTHCHECK CMD check $APP',
      'ONBUILD RUN echo $APP',
      'MAINTAINER $APP',
    ),
    env: ENV,
    want: [
      { command: { command: 'echo $APP' } },
      { command: { argv: ['echo', '$APP'] } },
      { command: { command: 'echo $APP' } },
      { shell: ['/bin/$APP'] },
      { test: ['CMD-SHELL', 'check $APP'] },
      { expression: 'RUN echo $APP', trigger: { command: { command: 'echo $APP' } } },
      { maintainer: '$APP' },
    ],
  },
  {
    name: 'RUN --mount field values are expanded',
    dockerfile: df('FROM a', 'RUN --mount=type=cache,target=$HOME/.cache,id=${APP}-cache make'),
    env: ENV,
    want: [{ mounts: ['type=cache,target=/root/.cache,id=web-cache'], command: { command: 'make' } }],
  },
  {
    name: 'backtick escape char: `$ is literal, \\ is plain',
    dockerfile: df('# escape=`', 'FROM a', 'WORKDIR C:\\$APP', 'ENV X=`$APP'),
    env: ENV,
    want: [{ path: 'C:\\web' }, { pairs: [{ value: '$APP' }] }],
  },
];

for (const c of cases) {
  test(`expand: ${c.name}`, () => {
    assertSubset(expandAll(c.dockerfile, c.env), c.want);
  });
}

test('expandInstruction does not modify its input', () => {
  const r = parseDockerfile(df('FROM a', 'WORKDIR /$APP'));
  const wd = r.stages[0]!.instructions[0]!;
  const out = expandInstruction(wd, ENV);
  assert.equal((wd as { path: string }).path, '/$APP');
  assert.equal((out as { path: string }).path, '/web');
});

test('COPY --from is never expanded; a variable there is an error', () => {
  const r = parseDockerfile(df('FROM a', 'COPY --from=$STAGE /x /y'));
  assert.throws(
    () => expandInstruction(r.stages[0]!.instructions[0]!, { STAGE: 'b' }),
    (err: unknown) => err instanceof BerthError && /variable expansion is not supported for --from/.test(err.message),
  );
  const ok = parseDockerfile(df('FROM a', 'COPY --from=build /x /y'));
  assert.equal((expandInstruction(ok.stages[0]!.instructions[0]!, {}) as { from?: string }).from, 'build');
});

test('ARG before FROM is used in FROM (default and build-arg override)', () => {
  const text = df('ARG TAG=3.19', 'ARG IMG=alpine:${TAG}', 'FROM $IMG', 'FROM busybox:${NOPE:-latest}');
  assert.deepEqual(walk(text).froms, ['alpine:3.19', 'busybox:latest']);
  assert.deepEqual(walk(text, { TAG: 'edge' }).froms, ['alpine:edge']. concat('busybox:latest'));
});

test('FROM sees only meta args, not stage ENV', () => {
  const text = df('FROM alpine', 'ENV IMG=debian', 'FROM ${IMG:-scratch}');
  assert.deepEqual(walk(text).froms, ['alpine', 'scratch']);
});

test('FROM expanding to nothing is an error; --platform expands with meta args', () => {
  const r = parseDockerfile(df('ARG P=linux/arm64', 'FROM --platform=$P $NOPE'));
  const meta = resolveMetaArgs(r.metaArgs);
  assert.throws(() => expandFrom(r.stages[0]!.from, meta), /base name \(\$NOPE\) should not be blank/);
  const r2 = parseDockerfile(df('ARG P=linux/arm64', 'FROM --platform=$P alpine'));
  assert.equal(expandFrom(r2.stages[0]!.from, resolveMetaArgs(r2.metaArgs)).platform, 'linux/arm64');
});

test('ARG scoping across stages: meta args must be redeclared to be visible', () => {
  const text = df(
    'ARG VERSION=1.0',
    'FROM a',
    'WORKDIR /v$VERSION',
    'ARG VERSION',
    'WORKDIR /v$VERSION',
    'FROM b',
    'WORKDIR /v$VERSION',
    'ARG VERSION=2.0',
    'WORKDIR /v$VERSION',
  );
  const { stages } = walk(text);
  const paths = stages.map((s) => s.filter((i) => i.kind === 'workdir').map((i) => (i as { path: string }).path));
  assert.deepEqual(paths, [['/v', '/v1.0'], ['/v', '/v2.0']]);
  // A build arg overrides both the meta default and the stage default.
  const over = walk(text, { VERSION: '9' }).stages.map((s) => s.filter((i) => i.kind === 'workdir').map((i) => (i as { path: string }).path));
  assert.deepEqual(over, [['/v', '/v9'], ['/v', '/v9']]);
});

test('ARG default expands with the scope so far; ARG value is reported', () => {
  const { stages } = walk(df('FROM a', 'ENV BASE=/opt', 'ARG DIR=$BASE/app OTHER=$DIR/x', 'ARG UNSET'));
  assert.deepEqual((stages[0]![1] as { args: unknown }).args, [
    { key: 'DIR', value: '/opt/app' },
    { key: 'OTHER', value: '/opt/app/x' },
  ]);
  assert.deepEqual((stages[0]![2] as { args: unknown }).args, [{ key: 'UNSET' }]);
});

test('ENV is expanded with the scope before the instruction', () => {
  const { stages } = walk(df('FROM a', 'ENV abc=hello', 'ENV abc=bye def=$abc', 'ENV ghi=$def', 'ENV P=$PATH:/x'));
  const pairs = stages[0]!.map((i) => (i as { pairs: Array<{ key: string; value: string }> }).pairs.map((p) => `${p.key}=${p.value}`));
  assert.deepEqual(pairs, [['abc=hello'], ['abc=bye', 'def=hello'], ['ghi=hello'], ['P=/usr/bin:/x']]);
});

test('stage scope: ENV goes to imageEnv, ARG only to the build env', () => {
  const r = parseDockerfile(df('FROM a', 'ARG A=1', 'ENV B=$A'));
  const scope = createStageScope({ baseEnv: [['PATH', '/bin']] });
  for (const i of r.stages[0]!.instructions) scope.apply(i);
  assert.deepEqual([...scope.env], [['PATH', '/bin'], ['A', '1'], ['B', '1']]);
  assert.deepEqual([...scope.imageEnv], [['PATH', '/bin'], ['B', '1']]);
});

test('expandMount keeps keys and CSV-quotes values that need it', () => {
  assert.equal(expandMount('type=bind,source=$SRC,target=/t,ro', { SRC: 'a,b' }), 'type=bind,"source=a,b",target=/t,ro');
  assert.equal(expandMount('"type=secret","id=x"', {}), 'type=secret,id=x');
});
