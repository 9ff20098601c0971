import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './instructions.js';
import { DockerfileParseError, parseAst } from './parser.js';
import { BerthError } from '../../errdefs/errors.js';

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
    assert.deepEqual(got, want, `${path}`);
  }
}

interface Case {
  name: string;
  dockerfile: string;
  want: unknown;
}

const df = (...lines: string[]) => lines.join('\n') + '\n';

const cases: Case[] = [
  {
    name: 'seed example (node app)',
    dockerfile: df(
      'FROM node:lts-slim',
      'WORKDIR /usr/src/app',
      'COPY package.json .',
      'RUN npm install',
      'EXPOSE 3000',
      'CMD [ "npm", "start" ]',
      'COPY . .',
    ),
    want: {
      metaArgs: [],
      warnings: [],
      stages: [{
        index: 0,
        from: { kind: 'from', image: 'node:lts-slim', startLine: 1 },
        instructions: [
          { kind: 'workdir', path: '/usr/src/app', startLine: 2 },
          { kind: 'copy', sources: ['package.json'], dest: '.', link: false },
          { kind: 'run', command: { form: 'shell', command: 'npm install' }, network: 'default', mounts: [] },
          { kind: 'expose', ports: ['3000'] },
          { kind: 'cmd', command: { form: 'exec', argv: ['npm', 'start'] } },
          { kind: 'copy', sources: ['.'], dest: '.', startLine: 7, endLine: 7 },
        ],
      }],
    },
  },
  {
    name: 'continuations keep inner indentation, drop the escape char',
    dockerfile: df('FROM a', 'RUN apt-get update && \\', '    apt-get install -y x \\  ', '  && echo done'),
    want: {
      stages: [{
        instructions: [{
          kind: 'run',
          command: { form: 'shell', command: 'apt-get update &&     apt-get install -y x   && echo done' },
          startLine: 2,
          endLine: 4,
        }],
      }],
      warnings: [],
    },
  },
  {
    name: 'comment lines inside a continuation vanish',
    dockerfile: df('FROM a', 'RUN echo a \\', '# a comment', '  # indented comment', ' && echo b'),
    want: { stages: [{ instructions: [{ command: { command: 'echo a  && echo b' }, endLine: 5 }] }], warnings: [] },
  },
  {
    name: 'empty continuation lines are skipped with a warning',
    dockerfile: df('FROM a', 'RUN foo \\', '', 'bar \\', '   ', 'baz'),
    want: {
      stages: [{ instructions: [{ command: { command: 'foo bar baz' }, startLine: 2, endLine: 6 }] }],
      warnings: [{ message: 'Empty continuation line found in: RUN foo bar baz', line: 6 }],
    },
  },
  {
    name: 'escaped escape char at end of line is not a continuation',
    dockerfile: df('FROM a', 'RUN echo foo\\\\', 'RUN echo bar'),
    want: { stages: [{ instructions: [{ command: { command: 'echo foo\\\\' } }, { command: { command: 'echo bar' } }] }] },
  },
  {
    name: 'continuation at end of file',
    dockerfile: 'FROM a\nRUN echo hi \\',
    want: { stages: [{ instructions: [{ command: { command: 'echo hi' }, startLine: 2, endLine: 2 }] }] },
  },
  {
    name: 'CRLF line endings',
    dockerfile: 'FROM a\r\nRUN echo a \\\r\n  b\r\nENV X=1\r\n',
    want: { stages: [{ instructions: [{ command: { command: 'echo a   b' } }, { pairs: [{ key: 'X', value: '1' }] }] }] },
  },
  {
    name: 'windows-style escape directive',
    dockerfile: df(
      '# escape=`',
      'FROM mcr.microsoft.com/windows/servercore',
      'COPY testfile.txt c:\\',
      'RUN dir c:\\ `',
      '  && echo done',
      'WORKDIR c:\\windows',
    ),
    want: {
      escapeChar: '`',
      directives: [{ name: 'escape', value: '`', line: 1 }],
      stages: [{
        instructions: [
          { kind: 'copy', sources: ['testfile.txt'], dest: 'c:\\' },
          { kind: 'run', command: { command: 'dir c:\\   && echo done' }, startLine: 4, endLine: 5 },
          { kind: 'workdir', path: 'c:\\windows' },
        ],
      }],
    },
  },
  {
    name: 'directives: syntax + check, case-insensitive keys, blanks around =',
    dockerfile: df('# SYNTAX = docker/dockerfile:1', '#check=skip=all', '# Escape=\\', 'FROM a'),
    want: {
      directives: [
        { name: 'syntax', value: 'docker/dockerfile:1', line: 1 },
        { name: 'check', value: 'skip=all', line: 2 },
        { name: 'escape', value: '\\', line: 3 },
      ],
      escapeChar: '\\',
    },
  },
  {
    name: 'a directive after a comment is a plain comment',
    dockerfile: df('# hello', '# escape=`', 'FROM a', 'RUN a \\', '  b'),
    want: { directives: [], escapeChar: '\\', stages: [{ instructions: [{ command: { command: 'a   b' } }] }] },
  },
  {
    name: 'a directive after a blank line is a plain comment',
    dockerfile: df('', '# escape=`', 'FROM a'),
    want: { directives: [], escapeChar: '\\' },
  },
  {
    name: 'unknown directive ends the directive block',
    dockerfile: df('# foo=bar', '# escape=`', 'FROM a'),
    want: { directives: [], escapeChar: '\\' },
  },
  {
    name: 'case-insensitive instruction names',
    dockerfile: df('from alpine AS Build', 'Run echo hi', 'CoPy --from=build a b'),
    want: {
      stages: [{
        name: 'build',
        from: { image: 'alpine', name: 'build' },
        instructions: [{ kind: 'run' }, { kind: 'copy', from: 'build', flags: ['--from=build'] }],
      }],
    },
  },
  {
    name: 'JSON exec form vs shell form, invalid JSON falls back to shell',
    dockerfile: df(
      'FROM a',
      'CMD ["echo", "hi"]',
      "CMD ['echo', 'hi']",
      'CMD ["echo", "unterminated]',
      'ENTRYPOINT [ "/bin/sh" , "-c" ]',
      'ENTRYPOINT exec top -b',
      'RUN ["ls", "-la"]',
      'CMD []',
    ),
    want: {
      stages: [{
        instructions: [
          { kind: 'cmd', command: { form: 'exec', argv: ['echo', 'hi'] } },
          { kind: 'cmd', command: { form: 'shell', command: "['echo', 'hi']" } },
          { kind: 'cmd', command: { form: 'shell', command: '["echo", "unterminated]' } },
          { kind: 'entrypoint', command: { form: 'exec', argv: ['/bin/sh', '-c'] } },
          { kind: 'entrypoint', command: { form: 'shell', command: 'exec top -b' } },
          { kind: 'run', command: { form: 'exec', argv: ['ls', '-la'] } },
          { kind: 'cmd', command: { form: 'exec', argv: [] } },
        ],
      }],
    },
  },
  {
    name: 'ENV legacy and key=value forms',
    dockerfile: df(
      'FROM a',
      'ENV A b c',
      'ENV B="x y" C=z\\ w D=',
      'ENV E=1 \\',
      '    F="2 \\',
      '       3"',
    ),
    want: {
      stages: [{
        instructions: [
          { kind: 'env', pairs: [{ key: 'A', value: 'b c', legacy: true }] },
          {
            kind: 'env',
            pairs: [
              { key: 'B', value: '"x y"', legacy: false },
              { key: 'C', value: 'z\\ w' },
              { key: 'D', value: '' },
            ],
          },
          { kind: 'env', pairs: [{ key: 'E', value: '1' }, { key: 'F', value: '"2        3"' }] },
        ],
      }],
      warnings: [{ message: '"ENV key=value" should be used instead of legacy "ENV key value" format', line: 2 }],
    },
  },
  {
    name: 'LABEL pairs',
    dockerfile: df('FROM a', 'LABEL "com.example.vendor"="ACME" version=1.0 description="a b"'),
    want: {
      stages: [{
        instructions: [{
          kind: 'label',
          pairs: [
            { key: '"com.example.vendor"', value: '"ACME"' },
            { key: 'version', value: '1.0' },
            { key: 'description', value: '"a b"' },
          ],
        }],
      }],
    },
  },
  {
    name: 'ARG before FROM are meta args; ARG in stage belongs to the stage',
    dockerfile: df('ARG VERSION=latest', 'ARG BASE', 'FROM busybox:$VERSION', 'ARG VERSION', 'RUN echo $VERSION'),
    want: {
      metaArgs: [
        { kind: 'arg', args: [{ key: 'VERSION', value: 'latest' }] },
        { kind: 'arg', args: [{ key: 'BASE' }] },
      ],
      stages: [{
        from: { image: 'busybox:$VERSION' },
        instructions: [{ kind: 'arg', args: [{ key: 'VERSION' }] }, { kind: 'run', command: { command: 'echo $VERSION' } }],
      }],
    },
  },
  {
    name: 'ARG with several names, quoted default',
    dockerfile: df('FROM a', 'ARG A B=2 C="x y"'),
    want: { stages: [{ instructions: [{ args: [{ key: 'A' }, { key: 'B', value: '2' }, { key: 'C', value: '"x y"' }] }] }] },
  },
  {
    name: 'multi-stage with --from, --platform, stage indexes',
    dockerfile: df(
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
      'WORKDIR /src',
      'RUN go build -o /out/app .',
      'FROM scratch',
      'COPY --from=build --chown=1000:1000 --chmod=0755 /out/app /app',
      'COPY --from=0 --link /out/app /app2',
      'ENTRYPOINT ["/app"]',
    ),
    want: {
      stages: [
        {
          index: 0,
          name: 'build',
          from: { image: 'golang:1.22', name: 'build', platform: '$BUILDPLATFORM' },
          instructions: [{ kind: 'workdir' }, { kind: 'run' }],
        },
        {
          index: 1,
          from: { image: 'scratch' },
          instructions: [
            { kind: 'copy', from: 'build', chown: '1000:1000', chmod: '0755', sources: ['/out/app'], dest: '/app', link: false },
            { kind: 'copy', from: '0', link: true },
            { kind: 'entrypoint', command: { form: 'exec', argv: ['/app'] } },
          ],
        },
      ],
    },
  },
  {
    name: 'COPY/ADD JSON form and ADD flags',
    dockerfile: df(
      'FROM a',
      'COPY ["a b", "c", "/dest dir/"]',
      'ADD --checksum=sha256:abc --keep-git-dir=true https://example.com/x.tar /x',
      'ADD --unpack=false --exclude=*.md src /src',
    ),
    want: {
      stages: [{
        instructions: [
          { kind: 'copy', sources: ['a b', 'c'], dest: '/dest dir/', json: true },
          { kind: 'add', checksum: 'sha256:abc', keepGitDir: true, sources: ['https://example.com/x.tar'] },
          { kind: 'add', unpack: false, exclude: ['*.md'], sources: ['src'], dest: '/src' },
        ],
      }],
    },
  },
  {
    name: 'RUN flags: mounts kept raw, network, security',
    dockerfile: df(
      'FROM a',
      'RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=tok --network=none go build',
      'RUN --security=insecure --network=host echo',
    ),
    want: {
      stages: [{
        instructions: [
          {
            kind: 'run',
            mounts: ['type=cache,target=/root/.cache', 'type=secret,id=tok'],
            network: 'none',
            security: 'sandbox',
            command: { command: 'go build' },
          },
          { kind: 'run', network: 'host', security: 'insecure' },
        ],
      }],
    },
  },
  {
    name: 'RUN heredoc, <<- tab stripping, quoted delimiter',
    dockerfile: df(
      'FROM a',
      'RUN <<EOF',
      'echo $HOME',
      'EOF',
      'RUN <<-"EOT" bash',
      '\techo one',
      '\t\techo two',
      '\tEOT',
      'RUN echo done',
    ),
    want: {
      stages: [{
        instructions: [
          {
            kind: 'run',
            command: { form: 'shell', command: '<<EOF' },
            heredocs: [{ name: 'EOF', content: 'echo $HOME\n', expand: true, chomp: false }],
            startLine: 2,
            endLine: 4,
          },
          {
            kind: 'run',
            command: { command: '<<-"EOT" bash' },
            heredocs: [{ name: 'EOT', content: 'echo one\necho two\n', expand: false, chomp: true }],
            startLine: 5,
            endLine: 8,
          },
          { kind: 'run', command: { command: 'echo done' }, startLine: 9 },
        ],
      }],
    },
  },
  {
    name: 'several heredocs on one line',
    dockerfile: df('FROM a', 'RUN <<A cat - && sh <<B', 'first', 'A', 'echo second', 'B'),
    want: {
      stages: [{
        instructions: [{
          heredocs: [{ name: 'A', content: 'first\n' }, { name: 'B', content: 'echo second\n' }],
          endLine: 6,
        }],
      }],
    },
  },
  {
    name: 'COPY heredoc to a destination',
    dockerfile: df('FROM a', 'COPY <<EOF <<\'RAW\' /etc/', 'x=$X', 'EOF', 'y=$Y', 'RAW', 'COPY --chmod=600 <<-EOF /f', '\tline', 'EOF'),
    want: {
      stages: [{
        instructions: [
          {
            kind: 'copy',
            sources: [],
            dest: '/etc/',
            heredocs: [
              { path: 'EOF', content: 'x=$X\n', expand: true },
              { path: 'RAW', content: 'y=$Y\n', expand: false },
            ],
          },
          { kind: 'copy', chmod: '600', heredocs: [{ path: 'EOF', content: 'line\n' }] },
        ],
      }],
    },
  },
  {
    name: 'heredoc syntax in JSON form or other instructions is literal',
    dockerfile: df('FROM a', 'RUN ["<<EOF"]', 'USER <<X', 'CMD <<Y'),
    want: {
      stages: [{
        instructions: [
          { kind: 'run', heredocs: [], command: { form: 'exec', argv: ['<<EOF'] } },
          { kind: 'user', user: '<<X' },
          { kind: 'cmd', command: { form: 'shell', command: '<<Y' } },
        ],
      }],
    },
  },
  {
    name: 'ONBUILD wraps a trigger',
    dockerfile: df('FROM a', 'ONBUILD RUN echo "built"', 'onbuild COPY . /app', 'ONBUILD ADD ["a", "/b"]'),
    want: {
      stages: [{
        instructions: [
          { kind: 'onbuild', expression: 'RUN echo "built"', trigger: { kind: 'run', command: { command: 'echo "built"' } } },
          { kind: 'onbuild', expression: 'COPY . /app', trigger: { kind: 'copy', sources: ['.'], dest: '/app' } },
          { kind: 'onbuild', trigger: { kind: 'add', json: true, sources: ['a'], dest: '/b' } },
        ],
      }],
    },
  },
  {
    name: 'ONBUILD with a heredoc appends the body to the expression',
    dockerfile: df('FROM a', 'ONBUILD RUN <<EOF', 'echo hi', 'EOF'),
    want: {
      stages: [{
        instructions: [{
          kind: 'onbuild',
          expression: 'RUN <<EOF\necho hi\nEOF',
          trigger: { kind: 'run', heredocs: [{ name: 'EOF', content: 'echo hi\n' }] },
        }],
      }],
    },
  },
  {
    name: 'HEALTHCHECK CMD with durations, shell and exec form, NONE',
    dockerfile: df(
      'FROM a',
      'HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1',
      'HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]',
      'HEALTHCHECK NONE',
    ),
    want: {
      stages: [{
        instructions: [
          {
            kind: 'healthcheck',
            test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
            interval: 30e9,
            timeout: 90e9,
            startPeriod: 1.5e9,
            startInterval: 500e6,
            retries: 3,
          },
          { kind: 'healthcheck', test: ['CMD', 'curl', '-f', 'http://localhost/'], interval: 0, retries: 0 },
          { kind: 'healthcheck', test: ['NONE'] },
        ],
      }],
    },
  },
  {
    name: 'VOLUME JSON or list, EXPOSE list, USER, STOPSIGNAL, SHELL, MAINTAINER',
    dockerfile: df(
      'FROM a',
      'VOLUME ["/data", "/logs"]',
      'VOLUME /a /b',
      'EXPOSE 8080/tcp 443 53/udp',
      'USER app:app',
      'STOPSIGNAL SIGTERM',
      'SHELL ["powershell", "-command"]',
      'MAINTAINER Jane Doe <jane@example.com>',
    ),
    want: {
      stages: [{
        instructions: [
          { kind: 'volume', paths: ['/data', '/logs'], json: true },
          { kind: 'volume', paths: ['/a', '/b'], json: false },
          { kind: 'expose', ports: ['443', '53/udp', '8080/tcp'] },
          { kind: 'user', user: 'app:app' },
          { kind: 'stopsignal', signal: 'SIGTERM' },
          { kind: 'shell', shell: ['powershell', '-command'] },
          { kind: 'maintainer', maintainer: 'Jane Doe <jane@example.com>' },
        ],
      }],
      warnings: [{ message: 'Maintainer instruction is deprecated in favor of using label', line: 8 }],
    },
  },
  {
    name: 'comments above instructions are recorded; trailing # is not a comment',
    dockerfile: df('# base image', 'FROM a', 'RUN echo hi # not a comment'),
    want: { stages: [{ instructions: [{ command: { command: 'echo hi # not a comment' } }] }] },
  },
  {
    name: 'byte order mark and leading whitespace',
    dockerfile: '\uFEFF# syntax=docker/dockerfile:1\n   FROM a\n\t RUN x\n',
    want: { directives: [{ name: 'syntax' }], stages: [{ from: { image: 'a', startLine: 2 }, instructions: [{ startLine: 3 }] }] },
  },
  {
    name: 'duplicate stage names warn',
    dockerfile: df('FROM a AS x', 'FROM b AS X'),
    want: { warnings: [{ message: 'Duplicate stage name "x", stage names should be unique', line: 2 }] },
  },
  {
    name: 'flags: -- ends flags, quoted flag values lose their quotes',
    dockerfile: df('FROM a', 'COPY --chown="app user" -- --weird /dst', 'RUN -- echo hi'),
    want: {
      stages: [{
        instructions: [
          { kind: 'copy', chown: 'app user', sources: ['--weird'], dest: '/dst' },
          { kind: 'run', command: { command: 'echo hi' }, flags: [] },
        ],
      }],
    },
  },
];

for (const c of cases) {
  test(`parse: ${c.name}`, () => {
    assertSubset(parseDockerfile(c.dockerfile), c.want);
  });
}

interface ErrorCase {
  name: string;
  dockerfile: string;
  message: string;
  line?: number;
}

const errorCases: ErrorCase[] = [
  { name: 'unknown instruction', dockerfile: df('FROM a', 'BLAH bar'), message: 'Dockerfile parse error on line 2: unknown instruction: BLAH', line: 2 },
  { name: 'unknown instruction with suggestion', dockerfile: df('FROM a', 'RUNN x'), message: 'Dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?)' },
  { name: 'unknown instruction FOO (BuildKit suggests FROM)', dockerfile: df('FROM a', 'FOO bar'), message: 'Dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)' },
  { name: 'flags are case-sensitive', dockerfile: df('FROM a', 'copy --FROM=x a b'), message: 'Dockerfile parse error on line 2: unknown flag: --FROM' },
  { name: 'unterminated heredoc', dockerfile: df('FROM a', 'RUN <<EOF', 'echo hi'), message: 'Dockerfile parse error on line 2: unterminated heredoc', line: 2 },
  { name: 'duplicate directive', dockerfile: df('# escape=`', '# escape=\\', 'FROM a'), message: 'Dockerfile parse error on line 2: only one escape parser directive can be used', line: 2 },
  { name: 'bad escape directive', dockerfile: df('# escape=x', 'FROM a'), message: "Dockerfile parse error on line 1: invalid escape token 'x' does not match ` or \\" },
  { name: 'empty FROM', dockerfile: df('FROM'), message: 'Dockerfile parse error on line 1: FROM requires either one or three arguments' },
  { name: 'FROM with two args', dockerfile: df('FROM a b'), message: 'Dockerfile parse error on line 1: FROM requires either one or three arguments' },
  { name: 'bad stage name', dockerfile: df('FROM a AS 1st'), message: 'Dockerfile parse error on line 1: invalid name for build stage: "1st", name can\'t start with a number or contain symbols' },
  { name: 'ENV blank name', dockerfile: df('FROM a', 'ENV =x'), message: 'Dockerfile parse error on line 2: ENV names can not be blank' },
  { name: 'ENV one word', dockerfile: df('FROM a', 'ENV X'), message: 'Dockerfile parse error on line 2: ENV must have two arguments' },
  { name: 'ENV mixed forms', dockerfile: df('FROM a', 'ENV a=b c'), message: 'Dockerfile parse error on line 2: Syntax error - can\'t find = in "c". Must be of the form: name=value' },
  { name: 'ENV unquoted default with a space splits the word (as in Docker)', dockerfile: df('FROM a', 'ENV A=${X:-a b}'), message: 'Dockerfile parse error on line 2: Syntax error - can\'t find = in "b}". Must be of the form: name=value' },
  { name: 'empty ENV', dockerfile: df('FROM a', 'ENV'), message: 'Dockerfile parse error on line 2: ENV requires at least one argument' },
  { name: 'ARG blank name', dockerfile: df('ARG =x', 'FROM a'), message: 'Dockerfile parse error on line 1: ARG names can not be blank' },
  { name: 'instruction before FROM', dockerfile: df('RUN x', 'FROM a'), message: 'Dockerfile parse error on line 1: no build stage in current context' },
  { name: 'no FROM at all', dockerfile: df('ARG A=1'), message: 'dockerfile contains no stages to build' },
  { name: 'only comments', dockerfile: df('# just', '# comments'), message: 'Dockerfile parse error on line 2: file with no instructions' },
  { name: 'COPY without destination', dockerfile: df('FROM a', 'COPY x'), message: 'Dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined' },
  { name: 'COPY heredoc as destination', dockerfile: df('FROM a', 'COPY x <<EOF', 'y', 'EOF'), message: 'Dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination' },
  { name: 'unknown flag', dockerfile: df('FROM a', 'COPY --chwon=1 a b'), message: 'Dockerfile parse error on line 2: unknown flag: --chwon (did you mean chown?)' },
  { name: 'duplicate flag', dockerfile: df('FROM a', 'COPY --from=a --from=b x y'), message: 'Dockerfile parse error on line 2: duplicate flag specified: --from' },
  { name: 'string flag without value', dockerfile: df('FROM a', 'COPY --from x y'), message: 'Dockerfile parse error on line 2: missing a value on flag: --from' },
  { name: 'bad network', dockerfile: df('FROM a', 'RUN --network=bridge x'), message: 'Dockerfile parse error on line 2: invalid network mode "bridge"' },
  { name: 'nested JSON', dockerfile: df('FROM a', 'CMD ["echo", ["x"]]'), message: 'Dockerfile parse error on line 2: when using JSON array syntax, arrays must be comprised of strings only' },
  { name: 'SHELL not JSON', dockerfile: df('FROM a', 'SHELL bash -c'), message: 'Dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form' },
  { name: 'WORKDIR missing', dockerfile: df('FROM a', 'WORKDIR'), message: 'Dockerfile parse error on line 2: WORKDIR requires exactly one argument' },
  { name: 'ONBUILD ONBUILD', dockerfile: df('FROM a', 'ONBUILD ONBUILD RUN x'), message: 'Dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed' },
  { name: 'ONBUILD FROM', dockerfile: df('FROM a', 'ONBUILD FROM b'), message: "Dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger" },
  { name: 'ONBUILD MAINTAINER', dockerfile: df('FROM a', 'ONBUILD maintainer me'), message: "Dockerfile parse error on line 2: MAINTAINER isn't allowed as an ONBUILD trigger" },
  { name: 'HEALTHCHECK bad type', dockerfile: df('FROM a', 'HEALTHCHECK FOO x'), message: 'Dockerfile parse error on line 2: Unknown type "FOO" in HEALTHCHECK (try CMD)' },
  { name: 'HEALTHCHECK NONE with args', dockerfile: df('FROM a', 'HEALTHCHECK NONE x'), message: 'Dockerfile parse error on line 2: HEALTHCHECK NONE takes no arguments' },
  { name: 'HEALTHCHECK CMD empty', dockerfile: df('FROM a', 'HEALTHCHECK CMD'), message: 'Dockerfile parse error on line 2: Missing command after HEALTHCHECK CMD' },
  { name: 'HEALTHCHECK tiny interval', dockerfile: df('FROM a', 'HEALTHCHECK --interval=1us CMD x'), message: 'Dockerfile parse error on line 2: Interval "interval" cannot be less than 1ms' },
  { name: 'HEALTHCHECK bad duration', dockerfile: df('FROM a', 'HEALTHCHECK --timeout=5 CMD x'), message: 'Dockerfile parse error on line 2: time: missing unit in duration "5"' },
  { name: 'HEALTHCHECK negative retries', dockerfile: df('FROM a', 'HEALTHCHECK --retries=-1 CMD x'), message: 'Dockerfile parse error on line 2: --retries cannot be negative (-1)' },
  { name: 'mount from with a variable', dockerfile: df('FROM a', 'RUN --mount=from=$X,target=/x y'), message: "Dockerfile parse error on line 2: 'from' doesn't support variable expansion, define alias stage instead" },
  { name: 'empty RUN', dockerfile: df('FROM a', 'RUN'), message: 'Dockerfile parse error on line 2: RUN requires at least one argument' },
  { name: 'error line counts continuation lines', dockerfile: df('FROM a', 'RUN a \\', '  b', 'BAD x'), message: 'Dockerfile parse error on line 4: unknown instruction: BAD (did you mean ADD?)' },
];

for (const c of errorCases) {
  test(`parse error: ${c.name}`, () => {
    assert.throws(
      () => parseDockerfile(c.dockerfile),
      (err: unknown) => {
        assert.ok(err instanceof BerthError, 'a BerthError');
        assert.equal(err.kind, 'invalid-argument');
        assert.equal(err.message, c.message);
        if (c.line !== undefined) {
          assert.ok(err instanceof DockerfileParseError);
          assert.equal(err.line, c.line);
        }
        return true;
      },
    );
  });
}

test('AST keeps raw keyword, flags, JSON flag and line span', () => {
  const ast = parseAst(df('FROM a', 'Copy --from=b \\', '  x y', 'CMD ["a"]'));
  const [, copy, cmd] = ast.nodes;
  assert.equal(copy!.keyword, 'copy');
  assert.equal(copy!.rawKeyword, 'Copy');
  assert.deepEqual(copy!.flags, ['--from=b']);
  assert.deepEqual(copy!.args, ['x', 'y']);
  assert.equal(copy!.original, 'Copy --from=b   x y');
  assert.deepEqual([copy!.startLine, copy!.endLine], [2, 3]);
  assert.equal(cmd!.json, true);
});
